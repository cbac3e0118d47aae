using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using DSPex.Orleans.Client.Errors;
using DSPex.Orleans.Contracts;

namespace DSPex.Orleans.Client;

/// <summary>
/// <see cref="DSPexArray"/> to and from System.Numerics.Tensors' <see cref="Tensor{T}"/>: the tensor's lengths are the
/// array's shape and its elements, in C (row-major) order, the array's buffer; one copy each way (docs/data.md#tensors).
/// </summary>
public sealed partial class DSPexArray
{
    /// <summary>
    /// An array of the tensor's elements in its shape (a sliced or strided tensor is read in row-major order). A
    /// <see cref="DSPexDataException"/> (InvalidArguments) when <typeparamref name="T"/> is no dtype, the tensor has more
    /// than <see cref="MaxDimensions"/> dimensions, or its bytes would not fit one buffer.
    /// </summary>
    public static DSPexArray FromTensor<T>(Tensor<T> tensor)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(tensor);
        var dtype = DSPexDType.Of<T>();
        var lengths = tensor.Lengths;
        var shape = new long[lengths.Length];
        for (var i = 0; i < shape.Length; i++)
        {
            shape[i] = lengths[i];
        }

        var count = ElementCount(shape, null, DSPexErrorKind.InvalidArguments);
        var size = DSPexDType.SizeOf(dtype, null, DSPexErrorKind.InvalidArguments);
        if (count > Array.MaxLength / size)
        {
            throw new DSPexDataException(DSPexErrorKind.InvalidArguments,
                $"a {dtype} tensor of shape [{string.Join(", ", shape)}] is {count} elements, past the {Array.MaxLength / size} one buffer holds");
        }

        var bytes = new byte[count * size];
        if (count > 0)
        {
            tensor.FlattenTo(MemoryMarshal.Cast<byte, T>(bytes.AsSpan()));
        }

        return new DSPexArray(dtype, shape, bytes);
    }

    /// <summary>
    /// The array as a tensor of its shape (a single value, shape [], as a tensor of one dimension of length 1); a
    /// <see cref="DSPexDataException"/> (InvalidArguments) when <typeparamref name="T"/> is not this array's dtype, as
    /// <see cref="ToArray{T}"/>.
    /// </summary>
    public Tensor<T> ToTensor<T>()
        where T : unmanaged
    {
        var values = ToArray<T>();
        var lengths = new nint[Math.Max(1, Shape.Count)];
        lengths[0] = values.Length;
        for (var i = 0; i < Shape.Count; i++)
        {
            lengths[i] = checked((nint)Shape[i]);
        }

        return Tensor.Create(values, lengths);
    }
}

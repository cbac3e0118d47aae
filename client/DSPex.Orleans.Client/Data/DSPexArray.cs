using System.Runtime.InteropServices;
using DSPex.Orleans.Client.Errors;
using DSPex.Orleans.Contracts;

namespace DSPex.Orleans.Client;

/// <summary>
/// An n-dimensional array that crosses to Python and back as dtype + shape + raw buffer (a binary part, never a JSON
/// list): Python receives a numpy array (or, without numpy, a shaped memoryview), and a numpy array or
/// <c>array.array</c> Python returns arrives as one of these (docs/data.md). Elements are in C order, little-endian.
/// </summary>
public sealed partial class DSPexArray
{
    private DSPexArray(string dtype, long[] shape, ReadOnlyMemory<byte> data)
    {
        DType = dtype;
        Shape = shape;
        Data = data;
    }

    /// <summary>The element type by numpy's name ("float32", "int64", ...).</summary>
    public string DType { get; }

    /// <summary>The size of each dimension; empty for a single value.</summary>
    public IReadOnlyList<long> Shape { get; }

    /// <summary>The elements' bytes, C order, little-endian.</summary>
    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>How many elements the array holds (the product of <see cref="Shape"/>).</summary>
    public long Length => Data.Length / DSPexDType.SizeOf(DType, null, DSPexErrorKind.InvalidArguments);

    /// <summary>
    /// An array of <paramref name="values"/> in the given shape (one dimension of all of them when none is given).
    /// Throws <see cref="DSPexDataException"/> when <typeparamref name="T"/> is no dtype or the shape does not hold them.
    /// </summary>
    public static DSPexArray From<T>(T[] values, params long[] shape)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(values);
        shape = shape is { Length: > 0 } ? shape : [values.LongLength];
        var dtype = DSPexDType.Of<T>();
        var count = ElementCount(shape, null, DSPexErrorKind.InvalidArguments);
        if (count != values.LongLength)
        {
            throw new DSPexDataException(DSPexErrorKind.InvalidArguments, $"a shape of [{string.Join(", ", shape)}] holds {count} elements, not {values.LongLength}");
        }

        return new DSPexArray(dtype, [.. shape], MemoryMarshal.AsBytes(values.AsSpan()).ToArray());
    }

    /// <summary>
    /// The elements as a flat array of <typeparamref name="T"/>; a <see cref="DSPexDataException"/> (InvalidArguments)
    /// when <typeparamref name="T"/> is not this array's dtype.
    /// </summary>
    public T[] ToArray<T>()
        where T : unmanaged
    {
        if (DSPexDType.TypeOf(DType) != typeof(T))
        {
            throw new DSPexDataException(DSPexErrorKind.InvalidArguments, $"the array's dtype is {DType}; it cannot be read as {typeof(T).Name}");
        }

        return MemoryMarshal.Cast<byte, T>(Data.Span).ToArray();
    }

    /// <summary>Checks an array read from a part: dtype known, byte order readable, shape's bytes the part's length.</summary>
    internal static DSPexArray Read(int part, string? dtype, string? byteOrder, long[] shape, ReadOnlyMemory<byte> data)
    {
        const DSPexErrorKind kind = DSPexErrorKind.ResultNotSerializable;
        var size = DSPexDType.SizeOf(dtype, part, kind);
        if (byteOrder is not ("little" or "big"))
        {
            throw new DSPexDataException(kind, $"byteorder '{byteOrder}' is neither little nor big", part);
        }

        if (byteOrder == "big" && size > 1 && BitConverter.IsLittleEndian)
        {
            throw new DSPexDataException(kind, $"a big-endian {dtype} array cannot be read on this little-endian machine; send it little-endian (numpy: .astype(a.dtype.newbyteorder('<')))", part);
        }

        var count = ElementCount(shape, part, kind);
        if (count > long.MaxValue / size || count * size != data.Length)
        {
            throw new DSPexDataException(kind, $"a {dtype} array of shape [{string.Join(", ", shape)}] does not fit the part's {data.Length} bytes", part);
        }

        return new DSPexArray(dtype!, shape, data);
    }

    private static long ElementCount(long[] shape, int? part, DSPexErrorKind kind)
    {
        if (shape.Length > MaxDimensions)
        {
            throw new DSPexDataException(kind, $"the shape has {shape.Length} dimensions; at most {MaxDimensions} are allowed", part);
        }

        long count = 1;
        foreach (var n in shape)
        {
            if (n < 0)
            {
                throw new DSPexDataException(kind, $"the shape [{string.Join(", ", shape)}] holds a negative size", part);
            }

            try
            {
                count = checked(count * n);
            }
            catch (OverflowException)
            {
                throw new DSPexDataException(kind, $"the shape [{string.Join(", ", shape)}]'s element count overflows 64 bits", part);
            }
        }

        return count;
    }

    /// <summary>Most dimensions an array may have (protocol.json binary_parts.max_dims).</summary>
    public const int MaxDimensions = 32;
}

using System.Numerics.Tensors;
using DSPex.Orleans.Client;
using DSPex.Orleans.Client.Errors;
using DSPex.Orleans.Contracts;

namespace DSPex.Orleans.UnitTests.Data;

/// <summary>
/// DSPexArray to and from System.Numerics.Tensors' Tensor&lt;T&gt;: shape and elements exactly (a sliced tensor in
/// row-major order), and a typed error for an element type no dtype holds or a dtype read as another type.
/// </summary>
[Trait("Category", "Unit")]
public sealed class TensorConversionTests
{
    [Fact]
    public void A_tensor_becomes_an_array_of_its_shape_and_back()
    {
        var values = Enumerable.Range(0, 24).Select(i => i * 0.25f).ToArray();
        var tensor = Tensor.Create(values, [2, 3, 4]);

        var array = DSPexArray.FromTensor(tensor);

        Assert.Equal("float32", array.DType);
        Assert.Equal([2L, 3L, 4L], array.Shape);
        Assert.Equal(values, array.ToArray<float>());
        var back = array.ToTensor<float>();
        Assert.Equal(new nint[] { 2, 3, 4 }, back.Lengths.ToArray());
        Assert.Equal(values, Flat(back));
    }

    [Fact]
    public void A_sliced_tensor_is_read_in_row_major_order()
    {
        var tensor = Tensor.Create(Enumerable.Range(0, 12).Select(i => (long)i).ToArray(), [3, 4]);
        var slice = tensor.Slice([Range(1, 3), Range(1, 3)]);

        var array = DSPexArray.FromTensor(slice);

        Assert.Equal("int64", array.DType);
        Assert.Equal([2L, 2L], array.Shape);
        Assert.Equal([5L, 6L, 9L, 10L], array.ToArray<long>());
    }

    [Fact]
    public void Empty_and_single_value_arrays_convert()
    {
        var empty = DSPexArray.FromTensor(Tensor.Create(Array.Empty<int>(), [0, 3]));
        Assert.Equal([0L, 3L], empty.Shape);
        Assert.Equal(new nint[] { 0, 3 }, empty.ToTensor<int>().Lengths.ToArray());

        var scalar = new DSPexData("""{"$array":0,"dtype":"float64","byteorder":"little","shape":[]}""", [BitConverter.GetBytes(2.5)]).Read<DSPexArray>()!;
        var tensor = scalar.ToTensor<double>();
        Assert.Equal(new nint[] { 1 }, tensor.Lengths.ToArray());
        Assert.Equal([2.5], Flat(tensor));
    }

    [Fact]
    public void A_type_no_dtype_holds_and_a_dtype_read_as_another_are_typed_errors()
    {
        var notADType = Assert.Throws<DSPexDataException>(() => DSPexArray.FromTensor(Tensor.Create(new decimal[] { 1m }, [1])));
        Assert.Equal(DSPexErrorKind.InvalidArguments, notADType.Kind);
        Assert.Contains("Decimal", notADType.Message, StringComparison.Ordinal);

        var floats = DSPexArray.FromTensor(Tensor.Create(new[] { 1f, 2f }, [2]));
        var mismatch = Assert.Throws<DSPexDataException>(() => floats.ToTensor<double>());
        Assert.Equal(DSPexErrorKind.InvalidArguments, mismatch.Kind);
        Assert.Contains("float32", mismatch.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentNullException>(() => DSPexArray.FromTensor<float>(null!));
    }

    private static System.Buffers.NRange Range(int start, int end) => new(new System.Buffers.NIndex(start), new System.Buffers.NIndex(end));

    private static T[] Flat<T>(Tensor<T> tensor)
    {
        var values = new T[tensor.FlattenedLength];
        tensor.FlattenTo(values);
        return values;
    }
}

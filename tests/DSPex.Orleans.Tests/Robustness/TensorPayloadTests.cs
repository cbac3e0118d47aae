using System.Numerics.Tensors;
using DSPex.Orleans.Client;

namespace DSPex.Orleans.Tests.Robustness;

/// <summary>
/// A System.Numerics.Tensors tensor crosses to a real Python worker as an array part (dtype + shape + raw buffer) and
/// comes back as a tensor of the same shape and elements.
/// </summary>
[Trait("Category", "Cluster")]
[Collection(RobustnessCollection.Name)]
public sealed class TensorPayloadTests(RobustnessClusterFixture fixture)
{
    private sealed record Echoed(DSPexArray Weights);

    [Fact]
    public async Task A_tensor_goes_to_python_as_an_array_and_comes_back_as_the_same_tensor()
    {
        var values = Enumerable.Range(0, 2 * 3 * 5).Select(i => i - 7.5).ToArray();
        var tensor = Tensor.Create(values, [2, 3, 5]);

        var result = await fixture.Client.ExecuteDataAsync("echo", new { Weights = DSPexArray.FromTensor(tensor) });

        Assert.Contains("\"$array\":0", result.Json, StringComparison.Ordinal); // a part, not a JSON list of numbers
        var back = result.Read<Echoed>()!.Weights.ToTensor<double>();
        Assert.Equal(new nint[] { 2, 3, 5 }, back.Lengths.ToArray());
        var flat = new double[back.FlattenedLength];
        back.FlattenTo(flat);
        Assert.Equal(values, flat);
    }
}

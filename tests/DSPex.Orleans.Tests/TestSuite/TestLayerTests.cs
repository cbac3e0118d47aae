using DSPex.Orleans.Tests.Infrastructure;

namespace DSPex.Orleans.Tests.TestSuite;

/// <summary>
/// This project holds the layers that start something (a test cluster, a silo process, redis-server), each class
/// labelled with exactly one, so `--filter Category=...` selects a layer. A unit test belongs in
/// tests/DSPex.Orleans.UnitTests (no process host, run first, in parallel); this check is the one exception, as it
/// checks the assembly it is in.
/// </summary>
[Trait("Category", "Unit")]
public sealed class TestLayerTests
{
    [Fact]
    public void Every_test_class_here_has_exactly_one_layer_other_than_unit()
    {
        var assembly = typeof(TestLayerTests).Assembly;
        Assert.Contains(typeof(TestLayerTests), TestLayers.TestClasses(assembly));

        var wrong = TestLayers.Misfiled(assembly, TestLayers.All.Except([TestLayers.Unit]).ToList())
            .Where(line => !line.StartsWith(typeof(TestLayerTests).FullName + ":", StringComparison.Ordinal))
            .ToList();
        Assert.True(wrong.Count == 0,
            $"test classes without exactly one of Category {string.Join('/', TestLayers.All.Skip(1))} (a unit test goes to tests/DSPex.Orleans.UnitTests):\n{string.Join('\n', wrong)}");
    }
}

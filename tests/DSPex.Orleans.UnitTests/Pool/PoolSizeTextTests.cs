using DSPex.Orleans.Contracts;
using DSPex.Orleans.Pool;

namespace DSPex.Orleans.UnitTests.Pool;

/// <summary>What /readyz and the health check say of a pool's size: an elastic pool's range, a fixed pool as before.</summary>
[Trait("Category", "Unit")]
public sealed class PoolSizeTextTests
{
    private static PoolStats Stats(int size, int workers) => new("silo", size, workers, 0, 0, 0, 0, 0, 0, 0, []);

    [Fact]
    public void An_elastic_pool_shows_its_current_size_minimum_and_maximum() =>
        Assert.Equal("2/3 workers (min 1, max 4)", PoolSizeText.Of(Stats(3, 2) with { MinSize = 1, MaxSize = 4 }));

    [Fact]
    public void A_fixed_pool_and_a_silo_that_predates_elastic_pools_show_live_over_size() =>
        Assert.All([Stats(2, 2) with { MinSize = 2, MaxSize = 2 }, Stats(2, 2)], s => Assert.Equal("2/2 workers", PoolSizeText.Of(s)));
}

using DSPex.Orleans.Contracts;
using DSPex.Orleans.Grains;
using DSPex.Orleans.Placement;
using DSPex.Orleans.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace DSPex.Orleans.Tests.Pool;

/// <summary>
/// Two silos of one worker and no queue: a busy silo must hand work to the other. The tests share the cluster (it was
/// one per test); each starts once both pools are idle at size.
/// </summary>
[Trait("Category", "Cluster")]
public sealed class SpillTests(SpillTests.SpillCluster fixture) : IClassFixture<SpillTests.SpillCluster>
{
    private readonly TestCluster _cluster = fixture.Cluster;

    public sealed class SpillCluster : IAsyncLifetime
    {
        public TestCluster Cluster { get; private set; } = null!;

        public async Task InitializeAsync() =>
            Cluster = await TestClusters.StartAsync(2, new Dictionary<string, string> { ["Size"] = "1", ["MaxQueueLength"] = "0" });

        public Task DisposeAsync() => Cluster.StopAndDisposeAsync();
    }

    /// <summary>An earlier test's cancelled sleeps may still be ending: wait until no worker is busy.</summary>
    private async Task EveryPoolIdleAsync()
    {
        foreach (var silo in _cluster.GetActiveSilos())
        {
            var pool = _cluster.PoolOf(silo.SiloAddress);
            await Eventually.HoldsAsync(pool.GetStatsAsync, s => s.Workers == 1 && s.Busy == 0 && s.Queued == 0, "the silo's pool idle at size");
        }
    }

    [Fact]
    public async Task A_saturated_silo_spills_to_another_silos_pool()
    {
        await EveryPoolIdleAsync();
        var primary = _cluster.Primary!.SiloAddress;
        var secondary = _cluster.SecondarySilos[0].SiloAddress;
        var primaryPool = _cluster.PoolOf(primary);
        using var hold = new CancellationTokenSource();
        var holder = primaryPool.ExecuteAsync(new ExecuteRequest("sleep", """{"seconds":60}"""), hold.Token).AsTask();
        await Eventually.HoldsAsync(primaryPool.GetStatsAsync, s => s.Busy == 1, "primary's worker busy");

        // A router called from inside the primary silo activates there (stateless worker), as it would on its gateway.
        var routerOnPrimary = _cluster.GetSiloServiceProvider(primary).GetRequiredService<IGrainFactory>().GetGrain<IRouterGrain>(0);
        var response = await routerOnPrimary.ExecuteAsync(new ExecuteRequest("pid", "{}"));

        Assert.True(response.IsSuccess, response.Error?.Message);
        Assert.StartsWith(SiloKeys.ForSilo(secondary), response.WorkerId);

        hold.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => holder);
    }

    [Fact]
    public async Task When_every_silo_is_saturated_the_answer_is_pool_saturated()
    {
        await EveryPoolIdleAsync();
        using var hold = new CancellationTokenSource();
        var holders = new List<Task<ExecuteResponse>>();
        foreach (var silo in _cluster.GetActiveSilos())
        {
            var pool = _cluster.PoolOf(silo.SiloAddress);
            holders.Add(pool.ExecuteAsync(new ExecuteRequest("sleep", """{"seconds":60}"""), hold.Token).AsTask());
            await Eventually.HoldsAsync(pool.GetStatsAsync, s => s.Busy == 1, "worker busy");
        }

        var router = _cluster.GetSiloServiceProvider(_cluster.Primary!.SiloAddress).GetRequiredService<IGrainFactory>().GetGrain<IRouterGrain>(0);
        var response = await router.ExecuteAsync(new ExecuteRequest("ping", "{}"));
        Assert.Equal(DSPexErrorKind.PoolSaturated, response.Error?.Kind);

        hold.Cancel();
        foreach (var holder in holders)
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => holder);
        }
    }
}

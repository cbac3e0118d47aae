using DSPex.Orleans.Contracts;
using DSPex.Orleans.Grains;
using DSPex.Orleans.Hosting;
using DSPex.Orleans.Tests.Infrastructure;
using Orleans.TestingHost;

namespace DSPex.Orleans.Tests.Benchmarking;

/// <summary>
/// The benchmark's floor grain (IBenchmarkFloorGrain) exists only in a silo that asked for it
/// (DSPex:Silo:BenchmarkFloor, AddDSPexBenchmarkFloor); there it answers a router-shaped request without Python.
/// </summary>
[Trait("Category", "Cluster")]
[Collection(TwoSiloCollection.Name)]
public sealed class BenchmarkFloorTests(TwoSiloClusterFixture fixture)
{
    [Fact]
    public async Task A_silo_that_did_not_ask_for_the_floor_has_no_such_grain()
    {
        var stats = await fixture.Client.GetClusterStatsAsync();
        var failure = await Assert.ThrowsAnyAsync<Exception>(() =>
            fixture.Cluster.Client.GetGrain<IBenchmarkFloorGrain>(0).ExecuteAsync(new ExecuteRequest("echo", "{}")).AsTask());
        Assert.Contains(nameof(IBenchmarkFloorGrain), failure.ToString(), StringComparison.Ordinal);

        // Nothing was served on its account either.
        Assert.Equal(stats.Pools.Sum(p => p.Served), (await fixture.Client.GetClusterStatsAsync()).Pools.Sum(p => p.Served));
    }

    [Fact]
    public async Task A_silo_with_the_floor_answers_the_request_with_its_arguments_without_Python()
    {
        var cluster = await TestClusters.StartAsync(1, configure: b => b.AddSiloBuilderConfigurator<FloorSiloConfigurator>());
        try
        {
            var floor = cluster.Client.GetGrain<IBenchmarkFloorGrain>(7);
            var response = await floor.ExecuteAsync(new ExecuteRequest("echo", "{\"text\":\"floor\"}", CallId: Guid.NewGuid()));

            Assert.Null(response.Error);
            Assert.Equal("{\"text\":\"floor\"}", response.ResultJson);
            Assert.Equal("orleans-floor", response.WorkerId);
            Assert.Equal(0, response.WorkerPid);
            // No worker ran it.
            Assert.Equal(0, (await cluster.PrimaryPool().GetStatsAsync()).Served);

            var refused = await floor.ExecuteAsync(null!);
            Assert.Equal(DSPexErrorKind.InvalidArguments, refused.Error?.Kind);
        }
        finally
        {
            await cluster.StopAndDisposeAsync();
        }
    }

    [Fact]
    public async Task The_floor_answers_floor_delay_after_its_delay_and_refuses_a_delay_out_of_range()
    {
        var cluster = await TestClusters.StartAsync(1, configure: b => b.AddSiloBuilderConfigurator<FloorSiloConfigurator>());
        try
        {
            var floor = cluster.Client.GetGrain<IBenchmarkFloorGrain>(3);
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            var delayed = await floor.ExecuteAsync(new ExecuteRequest("floor-delay", "{\"ms\":50}", CallId: Guid.NewGuid()));
            var waited = System.Diagnostics.Stopwatch.GetElapsedTime(started);

            Assert.Null(delayed.Error);
            Assert.Equal("{\"ms\":50}", delayed.ResultJson);
            // A lower bound only (a loaded machine can only make it later), with room for the runtime's coarse timer
            // clock, which may fire a few milliseconds before a precise stopwatch says the delay is over.
            Assert.True(waited >= TimeSpan.FromMilliseconds(40), $"answered after {waited.TotalMilliseconds} ms");

            foreach (var bad in new[] { "{\"ms\":-1}", "{\"ms\":1001}", "{\"ms\":\"5\"}", "{}", "not json" })
            {
                var refused = await floor.ExecuteAsync(new ExecuteRequest("floor-delay", bad, CallId: Guid.NewGuid()));
                Assert.Equal(DSPexErrorKind.InvalidArguments, refused.Error?.Kind);
                Assert.Contains("whole number of milliseconds", refused.Error?.Message, StringComparison.Ordinal);
            }

            // The silo is unharmed and no worker ran any of it.
            Assert.Null((await floor.ExecuteAsync(new ExecuteRequest("echo", "{}"))).Error);
            Assert.Equal(0, (await cluster.PrimaryPool().GetStatsAsync()).Served);
        }
        finally
        {
            await cluster.StopAndDisposeAsync();
        }
    }

    public sealed class FloorSiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder) => siloBuilder.AddDSPexBenchmarkFloor();
    }
}

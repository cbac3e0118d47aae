using DSPex.Orleans.Contracts;
using DSPex.Orleans.Grains;
using DSPex.Orleans.Placement;
using DSPex.Orleans.Tests.Infrastructure;
using Orleans.TestingHost;

namespace DSPex.Orleans.Tests.Pool;

/// <summary>
/// An elastic pool (min 1, max 4) under a steady load of two callers with real Python workers: it grows to what the
/// load keeps busy and holds that size while the load lasts (no worker retired, no growth past it), because the
/// worker idle longest gets the next request and so none of the workers the load needs sits idle for the timeout.
/// The load is counted in calls, not seconds.
/// </summary>
[Trait("Category", "Cluster")]
public sealed class ElasticSteadyLoadTests : IAsyncLifetime
{
    private const int Callers = 2, CallsPerCaller = 150;
    private TestCluster _cluster = null!;

    public async Task InitializeAsync()
    {
        _cluster = await TestClusters.StartAsync(1, new Dictionary<string, string>
        {
            ["MinSize"] = "1",
            ["MaxSize"] = "4",
            ["HeartbeatInterval"] = "00:00:00.100",
            ["ScaleUpAfter"] = "00:00:00.200",
            // Long beside a call (20 ms) even on a loaded machine: a worker idle this long under this load would be a flap.
            ["ScaleDownIdleTimeout"] = "00:00:05",
            ["QueueTimeout"] = "00:02:00",
            ["SpillToOtherSilos"] = "false",
        });
    }

    public async Task DisposeAsync() => await _cluster.StopAndDisposeAsync();

    [Fact]
    public async Task A_steady_load_grows_the_pool_once_and_then_neither_shrinks_nor_grows_it()
    {
        var pool = _cluster.Client.GetGrain<IPoolGrain>(SiloKeys.ForSilo(_cluster.Primary!.SiloAddress));
        var before = await Eventually.HoldsAsync(pool.GetStatsAsync, s => s.Workers == 1, "the pool warm at its minimum");

        // Each caller calls in a loop; once the pool has grown to the load, each makes CallsPerCaller more calls.
        var steadyFrom = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var load = Task.WhenAll(Enumerable.Range(0, Callers).Select(_ => Task.Run(async () =>
        {
            for (var left = CallsPerCaller; left > 0; left -= steadyFrom.Task.IsCompleted ? 1 : 0)
            {
                var reply = await pool.ExecuteAsync(new ExecuteRequest("sleep", """{"seconds":0.02}"""));
                Assert.True(reply.IsSuccess, reply.Error?.Message);
            }
        })));
        // The pool reaches the size the load needs: both callers served by workers of their own.
        var grown = await Eventually.HoldsAsync(pool.GetStatsAsync, s => s.Workers >= Callers, "the pool grown to the load");
        steadyFrom.SetResult();
        await load;
        var after = await pool.GetStatsAsync();

        // Steady from there on: nothing retired, and at most one more worker (both callers busy at the ticks of a while).
        Assert.Equal(before.ScaledDown, after.ScaledDown);
        Assert.InRange(after.ScaledUp - grown.ScaledUp, 0, 1);
        Assert.InRange(after.Size, Callers, Callers + 1);
        // A call served before the stats read may reach its caller after it: each caller's first counted call may predate `grown`.
        Assert.True(after.Served - grown.Served >= Callers * (CallsPerCaller - 1), $"served {after.Served - grown.Served} since the pool grew");
    }
}

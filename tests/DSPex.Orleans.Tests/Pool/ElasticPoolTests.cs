using System.Text.Json;
using DSPex.Orleans.Contracts;
using DSPex.Orleans.Grains;
using DSPex.Orleans.Placement;
using DSPex.Orleans.Tests.Infrastructure;
using Orleans.TestingHost;

namespace DSPex.Orleans.Tests.Pool;

/// <summary>
/// An elastic pool (min 1, max 3) with real Python workers: it grows to its ceiling while requests wait, shrinks back to
/// its floor once its workers sit idle, stops retired workers for good, and a worker killed while the pool shrinks
/// neither brings a retired slot back nor leaves the pool below its minimum. Every wait is on the pool's own stats
/// (no sleeps); the calls are held in flight by a gate file the test opens. The tests share one cluster (it was one
/// per test): each ends with the pool back at its floor and compares counters with what it read first.
/// </summary>
[Trait("Category", "Cluster")]
public sealed class ElasticPoolTests(ElasticPoolTests.ElasticCluster cluster) : IClassFixture<ElasticPoolTests.ElasticCluster>
{
    private const int Min = 1, Max = 3;
    private readonly string _gates = cluster.Gates;

    public sealed class ElasticCluster : IAsyncLifetime
    {
        public string Gates { get; } = Directory.CreateTempSubdirectory("dspex-elastic-").FullName;

        public TestCluster Cluster { get; private set; } = null!;

        /// <summary>The pool's stats once it first came up, before any test ran a call on it.</summary>
        public PoolStats Initial { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Cluster = await TestClusters.StartAsync(1, new Dictionary<string, string>
            {
                ["MinSize"] = $"{Min}",
                ["MaxSize"] = $"{Max}",
                // The scaler runs on the health loop's tick; short delays keep the test short, and nothing below depends on them.
                ["HeartbeatInterval"] = "00:00:00.100",
                ["ScaleUpAfter"] = "00:00:00.200",
                ["ScaleDownIdleTimeout"] = "00:00:01",
                ["QueueTimeout"] = "00:02:00",
                ["SpillToOtherSilos"] = "false",
            });
            var pool = Cluster.Client.GetGrain<IPoolGrain>(SiloKeys.ForSilo(Cluster.Primary!.SiloAddress));
            Initial = await Eventually.HoldsAsync(pool.GetStatsAsync, s => s.Workers == Min, "the pool warm at its minimum");
        }

        public async Task DisposeAsync()
        {
            await Cluster.StopAndDisposeAsync();
            Directory.Delete(Gates, recursive: true);
        }
    }

    private IPoolGrain Pool => cluster.Cluster.Client.GetGrain<IPoolGrain>(SiloKeys.ForSilo(cluster.Cluster.Primary!.SiloAddress));

    /// <summary>Where every test starts (and ends): at the floor, one worker, nothing in flight.</summary>
    private Task<PoolStats> AtFloorAsync() =>
        Eventually.HoldsAsync(StatsAsync, s => s.Size == Min && s.Workers == Min && s.WorkerDetails.Count == Min && s.Busy == 0 && s.Queued == 0,
            "the pool idle at its minimum");

    /// <summary>Stats, checked at every probe: the pool never leaves [min, max].</summary>
    private async Task<PoolStats> StatsAsync()
    {
        var stats = await Pool.GetStatsAsync();
        Assert.InRange(stats.Size, Min, Max);
        Assert.InRange(stats.Workers, 0, Max);
        return stats;
    }

    [Fact]
    public void It_starts_at_its_minimum_and_stats_show_current_minimum_and_maximum()
    {
        // Read when the cluster came up (once its workers were warm), before any test here ran a call: the pool as it starts.
        var stats = cluster.Initial;

        Assert.Equal((Min, Min, Max), (stats.Size, stats.MinSize, stats.MaxSize));
        Assert.Single(stats.WorkerDetails);
    }

    [Fact]
    public async Task It_grows_to_its_ceiling_while_requests_wait_and_shrinks_to_its_floor_once_idle()
    {
        var before = await AtFloorAsync();
        var gate = Path.Combine(_gates, "open");

        // Five calls held in flight: one worker takes one, four wait; the pool grows to its ceiling and no further.
        var calls = Enumerable.Range(0, 5).Select(_ => Hold(gate)).ToList();
        var grown = await Eventually.HoldsAsync(StatsAsync, s => s.Workers == Max && s.Busy == Max && s.Queued == 2, "the pool grown to its maximum, every worker busy, two requests queued");
        Assert.Equal((Max, 2), (grown.Size, grown.Queued));
        Assert.Equal(before.ScaledUp + (Max - Min), grown.ScaledUp);
        var grownPids = grown.WorkerDetails.Select(w => w.Pid).ToList();

        File.WriteAllText(gate, "");
        foreach (var call in calls)
        {
            var reply = await call;
            Assert.True(reply.IsSuccess, reply.Error?.Message);
        }

        // Idle past the timeout, the extra workers are retired (stopped, not crashed), and the pool stays at its floor.
        var shrunk = await Eventually.HoldsAsync(StatsAsync, s => s.ScaledDown == before.ScaledDown + (Max - Min) && s.WorkerDetails.Count == Min,
            "the pool shrunk to its minimum");
        var survivor = Assert.Single(shrunk.WorkerDetails);
        Assert.Contains(survivor.Pid, grownPids);
        await Eventually.HoldsAsync(() => grownPids.Where(p => p != survivor.Pid).All(p => !OsProcesses.IsAlive(p)), "the retired workers' processes gone");
        Assert.Equal(before.Restarts, shrunk.Restarts);

        var ping = await Pool.ExecuteAsync(new ExecuteRequest("ping", "{}"));
        Assert.True(ping.IsSuccess, ping.Error?.Message);
        var after = await StatsAsync();
        Assert.Equal((Min, Min, survivor.Pid), (after.Size, after.Workers, after.WorkerDetails.Single().Pid));
    }

    [Fact]
    public async Task A_worker_killed_while_the_pool_shrinks_leaves_it_at_its_minimum_without_reviving_a_retired_slot()
    {
        await AtFloorAsync();
        var gate = Path.Combine(_gates, "open-kill");
        var calls = Enumerable.Range(0, Max).Select(_ => Hold(gate)).ToList();
        var grown = await Eventually.HoldsAsync(StatsAsync, s => s.Workers == Max && s.Busy == Max, "the pool grown to its maximum");
        var pids = grown.WorkerDetails.Select(w => w.Pid).ToList();
        File.WriteAllText(gate, "");
        await Task.WhenAll(calls);

        // The moment the shrink is decided (its slots retired, their stops under way), every worker is killed: the
        // retiring ones must stay down, the one that stays in the pool must be restarted.
        var shrinking = await Eventually.HoldsAsync(StatsAsync, s => s.ScaledDown == grown.ScaledDown + (Max - Min), "the shrink decided");
        foreach (var pid in pids)
        {
            OsProcesses.Kill(pid);
        }

        var settled = await Eventually.HoldsAsync(StatsAsync,
            s => s.Workers == Min && s.WorkerDetails.Count == Min && !pids.Contains(s.WorkerDetails[0].Pid),
            "the pool back at its minimum with a fresh worker");
        await Eventually.HoldsAsync(() => pids.All(p => !OsProcesses.IsAlive(p)), "every killed worker gone");
        // Only the slot that stayed in the pool was restarted; the retired ones were not brought back.
        Assert.Equal(shrinking.Restarts + 1, settled.Restarts);
        Assert.Equal(grown.ScaledUp, settled.ScaledUp);
        Assert.Equal(Min, settled.Size);
        var ping = await Pool.ExecuteAsync(new ExecuteRequest("ping", "{}"));
        Assert.True(ping.IsSuccess, ping.Error?.Message);
        Assert.Single((await StatsAsync()).WorkerDetails);
    }

    private Task<ExecuteResponse> Hold(string gate) =>
        Pool.ExecuteAsync(new ExecuteRequest("wait_for_file", JsonSerializer.Serialize(new { path = gate }))).AsTask();
}

using DSPex.Orleans.Contracts;
using DSPex.Orleans.Grains;
using DSPex.Orleans.Tests.Infrastructure;
using Orleans.TestingHost;

namespace DSPex.Orleans.Tests.Lifecycle;

/// <summary>
/// One worker recycled every 5 requests (no jitter) or past 150 MiB resident. The tests share the cluster (it was one
/// per test); each compares counters with what it read first.
/// </summary>
[Trait("Category", "Cluster")]
public sealed class RecyclingTests(RecyclingTests.RecyclingCluster cluster) : IClassFixture<RecyclingTests.RecyclingCluster>
{
    private const int RequestLimit = 5;
    private readonly IPoolGrain _pool = cluster.Pool;

    public sealed class RecyclingCluster : IAsyncLifetime
    {
        private TestCluster _cluster = null!;

        public IPoolGrain Pool { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            _cluster = await TestClusters.StartAsync(1, new Dictionary<string, string>
            {
                ["Size"] = "1",
                ["RecycleAfterRequests"] = $"{RequestLimit}",
                ["RecycleJitter"] = "0",
                ["MaxWorkerResidentBytes"] = (150L * 1024 * 1024).ToString(),
                ["HeartbeatInterval"] = "00:00:00.100",
            });
            Pool = _cluster.PrimaryPool();
        }

        public Task DisposeAsync() => _cluster.StopAndDisposeAsync();
    }

    private async Task<int> PidAsync()
    {
        var response = await _pool.ExecuteAsync(new ExecuteRequest("pid", "{}"));
        Assert.True(response.IsSuccess, response.Error?.Message);
        return response.WorkerPid;
    }

    [Fact]
    public async Task A_worker_is_recycled_after_its_request_limit_without_failing_a_request()
    {
        var before = await Eventually.HoldsAsync(_pool.GetStatsAsync, s => s.Workers == 1 && s.Busy == 0 && s.WorkerDetails[0].Pid != 0, "the worker idle");

        // The shared worker may have served requests of another test: call until it is recycled (at most its limit),
        // so the twelve counted below start on a fresh process.
        var old = await PidAsync();
        var first = old;
        for (var calls = 1; first == old; calls++)
        {
            Assert.True(calls <= RequestLimit, $"the worker served {calls} requests without being recycled");
            first = await PidAsync();
        }

        var pids = new List<int> { first };
        for (var i = 1; i < 12; i++)
        {
            pids.Add(await PidAsync());
        }

        var runs = pids.Aggregate(new List<(int Pid, int Count)>(), (acc, pid) =>
        {
            if (acc.Count > 0 && acc[^1].Pid == pid)
            {
                acc[^1] = (pid, acc[^1].Count + 1);
            }
            else
            {
                acc.Add((pid, 1));
            }

            return acc;
        });
        Assert.Equal([5, 5, 2], runs.Select(r => r.Count));
        Assert.Equal(3, runs.Select(r => r.Pid).Distinct().Count());
        await Eventually.HoldsAsync(() => runs.Take(2).Select(r => r.Pid).Append(old).All(pid => !OsProcesses.IsAlive(pid)), "recycled processes ended");
        var stats = await _pool.GetStatsAsync();
        Assert.True(stats.Recycles >= before.Recycles + 3, $"{stats.Recycles} recycles, {before.Recycles} before");
        Assert.Equal(before.Restarts, stats.Restarts);
        Assert.Equal(before.Errors, stats.Errors);
    }

    [Fact]
    public async Task A_worker_past_its_memory_limit_is_recycled_after_its_request_finishes()
    {
        var before = await Eventually.HoldsAsync(_pool.GetStatsAsync, s => s.Workers == 1 && s.Busy == 0 && s.WorkerDetails[0].Pid != 0, "the worker idle");
        var grown = await _pool.ExecuteAsync(new ExecuteRequest("grow_memory", """{"mb":200}"""));
        Assert.True(grown.IsSuccess, grown.Error?.Message);

        var after = await Eventually.HoldsAsync(_pool.GetStatsAsync,
            s => s.Workers == 1 && s.WorkerDetails[0].Pid != grown.WorkerPid && s.WorkerDetails[0].Pid != 0, "the grown worker recycled");
        Assert.True(after.WorkerDetails[0].ResidentBytes < 150L * 1024 * 1024);
        await Eventually.HoldsAsync(() => !OsProcesses.IsAlive(grown.WorkerPid), "the grown worker ended");
        Assert.Equal(before.Restarts, after.Restarts);
    }
}

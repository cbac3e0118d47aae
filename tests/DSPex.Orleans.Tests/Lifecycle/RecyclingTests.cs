using DSPex.Orleans.Contracts;
using DSPex.Orleans.Grains;
using DSPex.Orleans.Tests.Infrastructure;
using Orleans.TestingHost;

namespace DSPex.Orleans.Tests.Lifecycle;

/// <summary>One worker recycled every 5 requests (no jitter) or past 150 MiB resident.</summary>
[Trait("Category", "Cluster")]
public sealed class RecyclingTests : IAsyncLifetime
{
    private TestCluster _cluster = null!;
    private IPoolGrain _pool = null!;

    public async Task InitializeAsync()
    {
        _cluster = await TestClusters.StartAsync(1, new Dictionary<string, string>
        {
            ["Size"] = "1",
            ["RecycleAfterRequests"] = "5",
            ["RecycleJitter"] = "0",
            ["MaxWorkerResidentBytes"] = (150L * 1024 * 1024).ToString(),
            ["HeartbeatInterval"] = "00:00:00.100",
        });
        _pool = _cluster.PrimaryPool();
    }

    public async Task DisposeAsync()
    {
        await _cluster.StopAndDisposeAsync();
    }

    [Fact]
    public async Task A_worker_is_recycled_after_its_request_limit_without_failing_a_request()
    {
        var pids = new List<int>();
        for (var i = 0; i < 12; i++)
        {
            var response = await _pool.ExecuteAsync(new ExecuteRequest("pid", "{}"));
            Assert.True(response.IsSuccess, response.Error?.Message);
            pids.Add(response.WorkerPid);
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
        await Eventually.HoldsAsync(() => runs.Take(2).All(r => !OsProcesses.IsAlive(r.Pid)), "recycled processes ended");
        var stats = await _pool.GetStatsAsync();
        Assert.True(stats.Recycles >= 2);
        Assert.Equal(0, stats.Restarts);
        Assert.Equal(0, stats.Errors);
    }

    [Fact]
    public async Task A_worker_past_its_memory_limit_is_recycled_after_its_request_finishes()
    {
        var grown = await _pool.ExecuteAsync(new ExecuteRequest("grow_memory", """{"mb":200}"""));
        Assert.True(grown.IsSuccess, grown.Error?.Message);

        var after = await Eventually.HoldsAsync(_pool.GetStatsAsync,
            s => s.Workers == 1 && s.WorkerDetails[0].Pid != grown.WorkerPid && s.WorkerDetails[0].Pid != 0, "the grown worker recycled");
        Assert.True(after.WorkerDetails[0].ResidentBytes < 150L * 1024 * 1024);
        await Eventually.HoldsAsync(() => !OsProcesses.IsAlive(grown.WorkerPid), "the grown worker ended");
        Assert.Equal(0, after.Restarts);
    }
}

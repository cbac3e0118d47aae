using DSPex.Orleans.Client;
using DSPex.Orleans.Client.Errors;
using DSPex.Orleans.Contracts;
using DSPex.Orleans.Grains;
using DSPex.Orleans.Tests.Infrastructure;
using Orleans.TestingHost;

namespace DSPex.Orleans.Tests.Lifecycle;

/// <summary>One silo, one Python process serving two requests at once on threads.</summary>
[Trait("Category", "Cluster")]
public sealed class WorkerPolicyTests : IAsyncLifetime
{
    private TestCluster _cluster = null!;
    private IPoolGrain _pool = null!;
    private DSPexClient _client = null!;

    public async Task InitializeAsync()
    {
        _cluster = await TestClusters.StartAsync(1, new Dictionary<string, string> { ["Size"] = "2", ["ConcurrencyPerWorker"] = "2" });
        _pool = _cluster.PrimaryPool();
        _client = new DSPexClient(_cluster.Client);
    }

    public async Task DisposeAsync()
    {
        await _cluster.StopAndDisposeAsync();
    }

    [Fact]
    public async Task One_worker_serves_as_many_requests_at_once_as_its_concurrency()
    {
        var first = await _pool.GetStatsAsync();
        var worker = first.WorkerDetails[0];
        var affinity = new WorkerAffinity(worker.WorkerId, worker.Pid, AffinityMode.StrictFailFast);
        var a = _pool.ExecuteWithAffinityAsync(new ExecuteRequest("sleep", """{"seconds":1}"""), affinity).AsTask();
        await Eventually.HoldsAsync(_pool.GetStatsAsync, s => s.WorkerDetails.Single(w => w.WorkerId == worker.WorkerId).InFlight == 1, "first request in flight");
        var b = _pool.ExecuteWithAffinityAsync(new ExecuteRequest("sleep", """{"seconds":1}"""), affinity).AsTask();
        await Eventually.HoldsAsync(_pool.GetStatsAsync, s => s.WorkerDetails.Single(w => w.WorkerId == worker.WorkerId).InFlight == 2, "both requests in flight on one process");

        var third = await _pool.ExecuteWithAffinityAsync(new ExecuteRequest("pid", "{}"), affinity);
        Assert.Equal(DSPexErrorKind.WorkerBusy, third.Error?.Kind);

        var results = await Task.WhenAll(a, b);
        Assert.All(results, r => Assert.True(r.IsSuccess, r.Error?.Message));
        Assert.All(results, r => Assert.Equal(worker.Pid, r.WorkerPid));
    }

    [Fact]
    public async Task An_idempotent_request_is_retried_once_when_its_worker_crashes()
    {
        var before = await _pool.GetStatsAsync();
        var marker = Path.Combine(Path.GetTempPath(), $"dspex-retry-{Guid.NewGuid():N}");
        try
        {
            var pid = await _client.ExecuteAsync<int>("exit_unless_marker", new { path = marker }, new ExecuteOptions { Idempotent = true });
            Assert.True(OsProcesses.IsAlive(pid));
            var after = await Eventually.HoldsAsync(_pool.GetStatsAsync, s => s.Workers == s.Size, "pool back at size");
            Assert.Equal(before.Retries + 1, after.Retries);
            Assert.Equal(before.Restarts + 1, after.Restarts);
        }
        finally
        {
            File.Delete(marker);
        }
    }

    [Fact]
    public async Task A_request_not_marked_idempotent_is_not_retried()
    {
        var marker = Path.Combine(Path.GetTempPath(), $"dspex-noretry-{Guid.NewGuid():N}");
        try
        {
            await Assert.ThrowsAsync<WorkerCrashedException>(() => _client.ExecuteAsync<int>("exit_unless_marker", new { path = marker }));
            await Eventually.HoldsAsync(_pool.GetStatsAsync, s => s.Workers == s.Size, "pool back at size");
        }
        finally
        {
            File.Delete(marker);
        }
    }
}

using DSPex.Orleans.Client;
using DSPex.Orleans.Client.Errors;
using DSPex.Orleans.Contracts;
using DSPex.Orleans.Grains;
using DSPex.Orleans.Tests.Infrastructure;
using Orleans.TestingHost;

namespace DSPex.Orleans.Tests.Lifecycle;

/// <summary>
/// One silo, Python processes serving two requests at once on threads. The tests share the cluster (it was one per
/// test); each starts with the pool idle at size and compares counters with what it read first.
/// </summary>
[Trait("Category", "Cluster")]
public sealed class WorkerPolicyTests(WorkerPolicyTests.PolicyCluster cluster) : IClassFixture<WorkerPolicyTests.PolicyCluster>
{
    private readonly IPoolGrain _pool = cluster.Pool;
    private readonly DSPexClient _client = cluster.Client;

    public sealed class PolicyCluster : IAsyncLifetime
    {
        private TestCluster _cluster = null!;

        public IPoolGrain Pool { get; private set; } = null!;

        public DSPexClient Client { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            _cluster = await TestClusters.StartAsync(1, new Dictionary<string, string> { ["Size"] = "2", ["ConcurrencyPerWorker"] = "2" });
            Pool = _cluster.PrimaryPool();
            Client = new DSPexClient(_cluster.Client);
        }

        public Task DisposeAsync() => _cluster.StopAndDisposeAsync();
    }

    /// <summary>An earlier test may have crashed a worker: its replacement must be up and nothing in flight.</summary>
    private Task<PoolStats> IdleAtSizeAsync() =>
        Eventually.HoldsAsync(_pool.GetStatsAsync,
            s => s.Workers == s.Size && s.Busy == 0 && s.Queued == 0 && s.WorkerDetails.All(w => w.Pid != 0 && w.InFlight == 0),
            "the pool idle at size");

    [Fact]
    public async Task One_worker_serves_as_many_requests_at_once_as_its_concurrency()
    {
        var first = await IdleAtSizeAsync();
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
        var before = await IdleAtSizeAsync();
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
        await IdleAtSizeAsync();
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

using DSPex.Orleans.Client;
using DSPex.Orleans.Contracts;
using DSPex.Orleans.Grains;
using DSPex.Orleans.Tests.Infrastructure;
using Orleans.TestingHost;

namespace DSPex.Orleans.Tests.Pool;

/// <summary>
/// One silo, one worker, a queue of one: small enough to fill on purpose. The tests share the cluster (it took a
/// cluster start per test); each begins when the pool is idle at size and compares counters with what it read first.
/// </summary>
[Trait("Category", "Cluster")]
public sealed class QueueTests(QueueTests.QueueCluster cluster) : IClassFixture<QueueTests.QueueCluster>
{
    /// <summary>
    /// Not shorter: the full-queue test must make its third call while the queued one still waits, and a queued call
    /// behind a 0.2 s one must be served; on a loaded machine 2 s was a narrow window for both.
    /// </summary>
    private static readonly TimeSpan QueueTimeout = TimeSpan.FromSeconds(10);

    private readonly IPoolGrain _pool = cluster.Pool;
    private readonly DSPexClient _client = cluster.Client;

    public sealed class QueueCluster : IAsyncLifetime
    {
        public TestCluster Cluster { get; private set; } = null!;

        public IPoolGrain Pool { get; private set; } = null!;

        public DSPexClient Client { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Cluster = await TestClusters.StartAsync(1, new Dictionary<string, string>
            {
                ["Size"] = "1",
                ["MaxQueueLength"] = "1",
                ["QueueTimeout"] = QueueTimeout.ToString("c", System.Globalization.CultureInfo.InvariantCulture),
                ["CancelGracePeriod"] = "00:00:00.500",
                ["SpillToOtherSilos"] = "false",
            });
            Pool = Cluster.PrimaryPool();
            Client = new DSPexClient(Cluster.Client);
        }

        public Task DisposeAsync() => Cluster.StopAndDisposeAsync();
    }

    /// <summary>The state every test starts from (and an earlier test, killing or holding the worker, ends in).</summary>
    private Task<PoolStats> IdleAtSizeAsync() =>
        Eventually.HoldsAsync(_pool.GetStatsAsync,
            s => s.Workers == 1 && s.Busy == 0 && s.Queued == 0 && s.WorkerDetails.Count == 1 && s.WorkerDetails[0].Pid != 0 && s.WorkerDetails[0].InFlight == 0,
            "the pool idle at size");

    [Fact]
    public async Task A_full_queue_answers_saturated_and_a_queued_request_times_out()
    {
        var before = await IdleAtSizeAsync();
        using var holdWorker = new CancellationTokenSource();
        var holder = _pool.ExecuteAsync(new ExecuteRequest("sleep", """{"seconds":60}"""), holdWorker.Token).AsTask();
        await Eventually.HoldsAsync(_pool.GetStatsAsync, s => s.Busy == 1, "the only worker busy");

        var queued = _pool.ExecuteAsync(new ExecuteRequest("ping", "{}")).AsTask();
        await Eventually.HoldsAsync(_pool.GetStatsAsync, s => s.Queued == 1, "one request queued");

        var rejected = await _pool.ExecuteAsync(new ExecuteRequest("ping", "{}"));
        Assert.Equal(DSPexErrorKind.PoolSaturated, rejected.Error?.Kind);

        var timedOut = await queued;
        Assert.Equal(DSPexErrorKind.QueueTimeout, timedOut.Error?.Kind);
        Assert.Contains($"{QueueTimeout.TotalMilliseconds:0} ms", timedOut.Error!.Message);

        // The caller's cancellation ends its call at once and reaches the command in Python, which stops
        // cooperatively: the worker is free again, not left marked busy, and was not killed.
        holdWorker.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => holder);
        var stats = await Eventually.HoldsAsync(_pool.GetStatsAsync, s => s.Busy == 0 && s.Queued == 0, "pool idle again");
        Assert.Equal(before.QueueTimeouts + 1, stats.QueueTimeouts);
        Assert.Equal(before.Saturated + 1, stats.Saturated);
        Assert.Equal(before.Restarts, stats.Restarts);
        Assert.Equal("\"pong\"", await _client.ExecuteRawAsync("ping"));
    }

    [Fact]
    public async Task A_request_past_its_deadline_fails_typed_and_its_stuck_worker_is_replaced()
    {
        var before = await IdleAtSizeAsync();
        var stuckPid = before.WorkerDetails[0].Pid;

        var error = await Assert.ThrowsAsync<Client.Errors.DeadlineExceededException>(() =>
            _client.ExecuteRawAsync("sleep_uncooperative", """{"seconds":60}""", new ExecuteOptions { Timeout = TimeSpan.FromMilliseconds(300) }));
        Assert.Contains("300 ms", error.Message);

        var after = await Eventually.HoldsAsync(_pool.GetStatsAsync,
            s => s.Workers == 1 && s.Busy == 0 && s.WorkerDetails[0].Pid != stuckPid && s.WorkerDetails[0].Pid != 0,
            "the stuck worker killed after the grace period and replaced");
        Assert.Equal(before.Restarts + 1, after.Restarts);
        Assert.False(OsProcesses.IsAlive(stuckPid));
        Assert.Equal("\"pong\"", await _client.ExecuteRawAsync("ping"));
    }

    [Fact]
    public async Task Queued_requests_are_served_in_turn_when_the_worker_frees()
    {
        await IdleAtSizeAsync();
        var first = _pool.ExecuteAsync(new ExecuteRequest("sleep", """{"seconds":0.2}""")).AsTask();
        await Eventually.HoldsAsync(_pool.GetStatsAsync, s => s.Busy == 1, "worker busy");
        var second = _pool.ExecuteAsync(new ExecuteRequest("pid", "{}")).AsTask();

        Assert.True((await first).IsSuccess);
        var served = await second;
        Assert.True(served.IsSuccess, served.Error?.Message);
    }
}

using DSPex.Orleans.Contracts;
using DSPex.Orleans.Grains;
using DSPex.Orleans.Tests.Infrastructure;
using Orleans.TestingHost;

namespace DSPex.Orleans.Tests.Pool;

/// <summary>
/// A queued request is sent to the worker by the thread that frees it (the worker's reader thread, as the previous
/// reply arrives), and its grain turn is woken only by that call's answer (issue 24: one wake-up per queued call, not
/// two). What that must not lose, with a real worker: the call's own reply; the caller's cancellation while Python runs
/// it (it reaches the command, which stops, and the worker is free again without a kill); its deadline while Python
/// runs it. One silo, one worker; each test holds the worker with a cancellable sleep, queues its request behind it,
/// then frees the worker, so the request is always the one the reader thread sends.
/// </summary>
[Trait("Category", "Cluster")]
public sealed class DeliveredCallTests(DeliveredCallTests.OneWorkerCluster cluster) : IClassFixture<DeliveredCallTests.OneWorkerCluster>
{
    // Far past Eventually's bound: a call whose cancellation or deadline were lost would keep the worker busy past it.
    private const string LongSleep = """{"seconds":600}""";

    private readonly IPoolGrain _pool = cluster.Pool;

    public sealed class OneWorkerCluster : IAsyncLifetime
    {
        public TestCluster Cluster { get; private set; } = null!;

        public IPoolGrain Pool { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Cluster = await TestClusters.StartAsync(1, new Dictionary<string, string>
            {
                ["Size"] = "1",
                ["QueueTimeout"] = "00:02:00",
                ["CancelGracePeriod"] = "00:00:30",
                ["SpillToOtherSilos"] = "false",
            });
            Pool = Cluster.PrimaryPool();
        }

        public Task DisposeAsync() => Cluster.StopAndDisposeAsync();
    }

    private Task<PoolStats> IdleAtSizeAsync() =>
        Eventually.HoldsAsync(_pool.GetStatsAsync,
            s => s.Workers == 1 && s.Busy == 0 && s.Queued == 0 && s.WorkerDetails.Count == 1 && s.WorkerDetails[0].Pid != 0 && s.WorkerDetails[0].InFlight == 0,
            "the pool idle at size");

    /// <summary>Holds the only worker, queues <paramref name="queued"/> behind it, then frees the worker: the reader thread sends it.</summary>
    private async Task<Task<ExecuteResponse>> QueueBehindHolderAsync(ExecuteRequest queued, CancellationToken queuedToken = default)
    {
        using var hold = new CancellationTokenSource();
        var holder = _pool.ExecuteAsync(new ExecuteRequest("sleep", LongSleep), hold.Token).AsTask();
        await Eventually.HoldsAsync(_pool.GetStatsAsync, s => s.Busy == 1, "the only worker busy");

        var call = _pool.ExecuteAsync(queued, queuedToken).AsTask();
        await Eventually.HoldsAsync(_pool.GetStatsAsync, s => s.Queued == 1, "the request queued");

        hold.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => holder);
        await Eventually.HoldsAsync(_pool.GetStatsAsync, s => s.Queued == 0, "the queued request sent to the freed worker");
        return call;
    }

    [Fact]
    public async Task A_queued_call_sent_by_the_freed_worker_gets_its_own_reply()
    {
        var before = await IdleAtSizeAsync();

        var served = await await QueueBehindHolderAsync(new ExecuteRequest("pid", "{}"));

        Assert.True(served.IsSuccess, served.Error?.Message);
        Assert.Equal(before.WorkerDetails[0].Pid.ToString(System.Globalization.CultureInfo.InvariantCulture), served.ResultJson);
    }

    [Fact]
    public async Task Cancelling_a_queued_call_while_python_runs_it_stops_the_command_without_a_kill()
    {
        var before = await IdleAtSizeAsync();
        using var cancel = new CancellationTokenSource();

        var call = await QueueBehindHolderAsync(new ExecuteRequest("sleep", LongSleep), cancel.Token);
        await Eventually.HoldsAsync(_pool.GetStatsAsync, s => s.Busy == 1, "the queued call running in Python");
        cancel.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        var after = await IdleAtSizeAsync(); // the cancel reached the command, which returned: not after its 600 s
        Assert.Equal(before.Restarts, after.Restarts);
        Assert.Equal(before.WorkerDetails[0].Pid, after.WorkerDetails[0].Pid);
    }

    [Fact]
    public async Task A_queued_call_past_its_deadline_while_python_runs_it_fails_typed_and_the_worker_is_freed()
    {
        var before = await IdleAtSizeAsync();

        var response = await await QueueBehindHolderAsync(new ExecuteRequest("sleep", LongSleep, TimeSpan.FromSeconds(1)));

        Assert.Equal(DSPexErrorKind.DeadlineExceeded, response.Error?.Kind);
        var after = await IdleAtSizeAsync();
        Assert.Equal(before.Restarts, after.Restarts);
        Assert.Equal(before.WorkerDetails[0].Pid, after.WorkerDetails[0].Pid);
    }
}

using System.Globalization;
using DSPex.Orleans.Contracts;
using DSPex.Orleans.Grains;
using DSPex.Orleans.Tests.Infrastructure;
using Orleans.TestingHost;

namespace DSPex.Orleans.Tests.Pool;

/// <summary>
/// One Python worker running two synchronous calls at once (ConcurrencyPerWorker = 2) with real Python: ending one
/// of them (the caller's cancellation, its deadline, the kill of a worker stuck past its deadline) ends that one
/// alone or, for the kill, fails the other typed; the unit it frees goes to the queued call, written by the thread
/// that freed it; a worker that recycles with two in flight loses none of them.
/// </summary>
[Trait("Category", "Cluster")]
public sealed class SeveralInFlightTests(SeveralInFlightTests.OneWorkerTwoUnits cluster) : IClassFixture<SeveralInFlightTests.OneWorkerTwoUnits>
{
    /// <summary>
    /// One cluster for the class (it was one per test): every test starts with the worker idle and compares counters
    /// with what it read first. The recycling test keeps its own cluster (another configuration).
    /// </summary>
    public sealed class OneWorkerTwoUnits : IAsyncLifetime
    {
        public TestCluster Cluster { get; private set; } = null!;

        public async Task InitializeAsync() =>
            Cluster = await TestClusters.StartAsync(1, pool: new Dictionary<string, string>
            {
                ["Size"] = "1",
                ["ConcurrencyPerWorker"] = "2",
                // Long enough that a cooperative command answers its cancel within it on a loaded machine (no kill unless stuck).
                ["CancelGracePeriod"] = "00:00:05",
                ["SpillToOtherSilos"] = "false",
            });

        public Task DisposeAsync() => Cluster.StopAndDisposeAsync();
    }

    private IPoolGrain Pool => cluster.Cluster.PrimaryPool();

    /// <summary>An earlier test's cancelled or killed calls may still be ending: the one worker up and nothing in flight.</summary>
    private Task<PoolStats> IdleAsync() =>
        Eventually.HoldsAsync(Pool.GetStatsAsync,
            s => s.Workers == 1 && s.Busy == 0 && s.Queued == 0 && s.WorkerDetails.Single() is { Pid: not 0, InFlight: 0 },
            "the worker idle");

    private static ExecuteRequest LongSleep(TimeSpan? timeout = null, bool cooperative = true) =>
        new(cooperative ? "sleep" : "sleep_uncooperative", """{"seconds":60}""", timeout);

    private async Task<PoolStats> BothInFlightAsync() =>
        await Eventually.HoldsAsync(Pool.GetStatsAsync, s => s.WorkerDetails.Single().InFlight == 2, "both calls in flight on the one worker");

    [Fact]
    public async Task Cancelling_one_of_two_calls_leaves_the_other_running_and_the_queued_call_takes_its_unit()
    {
        var before = await IdleAsync();
        using var first = new CancellationTokenSource();
        using var second = new CancellationTokenSource();
        var cancelled = Pool.ExecuteAsync(LongSleep(), first.Token).AsTask();
        var running = Pool.ExecuteAsync(LongSleep(), second.Token).AsTask();
        var worker = (await BothInFlightAsync()).WorkerDetails.Single();
        var queued = Pool.ExecuteAsync(new ExecuteRequest("pid", "{}")).AsTask();
        await Eventually.HoldsAsync(Pool.GetStatsAsync, s => s.Queued == 1, "the third call queued");

        await first.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);

        // The cancelled sleep stops in Python and its unit goes to the queued call, on the same process.
        var served = await queued;
        Assert.True(served.IsSuccess, served.Error?.Message);
        Assert.Equal(worker.Pid.ToString(CultureInfo.InvariantCulture), served.ResultJson);
        Assert.False(running.IsCompleted);
        var stats = await Pool.GetStatsAsync();
        Assert.Equal(before.Restarts, stats.Restarts);
        Assert.Equal(1, stats.WorkerDetails.Single().InFlight);

        await second.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
        await Eventually.HoldsAsync(Pool.GetStatsAsync, s => s.Busy == 0 && s.Queued == 0, "the pool idle again");
    }

    [Fact]
    public async Task A_call_past_its_deadline_fails_typed_while_the_other_call_on_its_worker_runs_on()
    {
        var before = await IdleAsync();
        using var other = new CancellationTokenSource();
        var running = Pool.ExecuteAsync(LongSleep(), other.Token).AsTask();
        await Eventually.HoldsAsync(Pool.GetStatsAsync, s => s.WorkerDetails.Single().InFlight == 1, "the first call in flight");
        var pid = (await Pool.GetStatsAsync()).WorkerDetails.Single().Pid;

        var late = await Pool.ExecuteAsync(LongSleep(TimeSpan.FromMilliseconds(300)));

        Assert.Equal(DSPexErrorKind.DeadlineExceeded, late.Error?.Kind);
        Assert.Equal(pid, late.WorkerPid);
        // The cooperative sleep stopped at the cancel: its unit is free, the worker was not killed, the other runs on.
        var stats = await Eventually.HoldsAsync(Pool.GetStatsAsync, s => s.WorkerDetails.Single().InFlight == 1, "the late call's unit freed");
        Assert.Equal(pid, stats.WorkerDetails.Single().Pid);
        Assert.Equal(before.Restarts, stats.Restarts);
        Assert.False(running.IsCompleted);
        var next = await Pool.ExecuteAsync(new ExecuteRequest("pid", "{}"));
        Assert.Equal(pid.ToString(CultureInfo.InvariantCulture), next.ResultJson);

        await other.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
    }

    [Fact]
    public async Task A_worker_stuck_past_a_deadline_is_killed_and_the_other_call_on_it_fails_typed()
    {
        var before = await IdleAsync();
        var other = Pool.ExecuteAsync(LongSleep(cooperative: false)).AsTask();
        await Eventually.HoldsAsync(Pool.GetStatsAsync, s => s.WorkerDetails.Single().InFlight == 1, "the first call in flight");
        var stuck = (await Pool.GetStatsAsync()).WorkerDetails.Single().Pid;

        var late = await Pool.ExecuteAsync(LongSleep(TimeSpan.FromMilliseconds(300), cooperative: false));
        Assert.Equal(DSPexErrorKind.DeadlineExceeded, late.Error?.Kind);

        // It ignores the cancel: past the grace period the worker is killed, which ends the other call with it.
        var crashed = await other;
        Assert.Equal(DSPexErrorKind.WorkerCrashed, crashed.Error?.Kind);
        Assert.Equal(stuck, crashed.WorkerPid);
        var after = await Eventually.HoldsAsync(Pool.GetStatsAsync,
            s => s.Workers == 1 && s.Busy == 0 && s.WorkerDetails.Single().Pid is var pid && pid != stuck && pid != 0,
            "the stuck worker replaced");
        Assert.Equal(before.Restarts + 1, after.Restarts);
        Assert.False(OsProcesses.IsAlive(stuck));
        var served = await Pool.ExecuteAsync(new ExecuteRequest("ping", "{}"));
        Assert.True(served.IsSuccess, served.Error?.Message);
    }

    [Fact]
    public async Task A_worker_that_recycles_with_two_calls_in_flight_loses_none_of_them()
    {
        var recycling = await TestClusters.StartAsync(1, pool: new Dictionary<string, string>
        {
            ["Size"] = "1", ["ConcurrencyPerWorker"] = "2", ["RecycleAfterRequests"] = "3", ["RecycleJitter"] = "0",
        });
        try
        {
            var pool = recycling.PrimaryPool();
            var first = (await pool.GetStatsAsync()).WorkerDetails.Single().Pid;
            var responses = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => pool.ExecuteAsync(new ExecuteRequest("pid", "{}")).AsTask()));

            Assert.All(responses, r => Assert.True(r.IsSuccess, r.Error?.Message));
            // Recycled after every third request: the calls were served by more than one process, each by the one it names.
            Assert.Contains(responses, r => r.WorkerPid != first);
            Assert.All(responses, r => Assert.Equal(r.WorkerPid.ToString(CultureInfo.InvariantCulture), r.ResultJson));
            Assert.All(responses.GroupBy(r => r.WorkerPid), served => Assert.InRange(served.Count(), 1, 3 + 1));
        }
        finally
        {
            await recycling.StopAndDisposeAsync();
        }
    }
}

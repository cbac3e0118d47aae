using DSPex.Orleans.Workers.Scheduling;

namespace DSPex.Orleans.UnitTests.Pool;

/// <summary>
/// Send-ahead (DSPex:Pool:SendAhead): when every unit is busy, a request that may run anywhere is granted a place
/// ahead on a busy worker (its call is written before the running one answers), bounded per worker; never a
/// session or stream request, never to a recycling or exited worker or one a session request waits for.
/// </summary>
[Trait("Category", "Unit")]
public sealed class SendAheadSchedulerTests
{
    private static (CapacityScheduler<FakeWorker> Scheduler, FakeWorker[] Workers) Started(int slots, int sendAhead = 1, int concurrency = 1)
    {
        var scheduler = new CapacityScheduler<FakeWorker>(
            [.. Enumerable.Range(0, slots).Select(i => $"w{i}")], concurrency, 10, static w => w.HasExited, sendAhead);
        var workers = Enumerable.Range(0, slots).Select(i => new FakeWorker($"w{i}")).ToArray();
        for (var i = 0; i < slots; i++)
        {
            scheduler.Attach(i, workers[i], recycleAtRequest: 0);
        }

        return (scheduler, workers);
    }

    private static Acquisition<FakeWorker> Anywhere(CapacityScheduler<FakeWorker> scheduler, string name = "request") =>
        scheduler.Acquire<string>(null, null, true, name, static n => new RecordingWaiter(n), mayGoAhead: true);

    [Fact]
    public void With_every_unit_busy_one_request_per_worker_goes_ahead_then_requests_queue()
    {
        var (scheduler, workers) = Started(slots: 2);
        var running = new[] { Anywhere(scheduler), Anywhere(scheduler) };

        var ahead = new[] { Anywhere(scheduler, "ahead 1"), Anywhere(scheduler, "ahead 2") };
        var queued = Anywhere(scheduler, "queued");

        Assert.All(running, r => Assert.False(r.SentAhead));
        Assert.All(ahead, a => Assert.True(a.SentAhead));
        Assert.Equal(AcquireStatus.Granted, ahead[0].Status);
        // One ahead on each worker, not two on one.
        Assert.Equal(workers.ToHashSet(), ahead.Select(a => a.Lease.Worker).ToHashSet());
        Assert.Equal(AcquireStatus.Queued, queued.Status);
        Assert.Equal(2, scheduler.View(0).InFlight);
    }

    [Fact]
    public void Off_by_zero_and_never_for_requests_that_may_not_go_ahead()
    {
        var (off, _) = Started(slots: 1, sendAhead: 0);
        Anywhere(off);
        Assert.Equal(AcquireStatus.Queued, Anywhere(off).Status);

        var (scheduler, workers) = Started(slots: 1);
        Anywhere(scheduler);
        // A session or stream request (mayGoAhead false) and a request for one worker in particular wait.
        Assert.Equal(AcquireStatus.Queued, scheduler.Acquire().Status);
        Assert.Equal(AcquireStatus.Queued, scheduler.AcquirePreferred(0, workers[0]).Status);
    }

    [Fact]
    public void When_the_running_call_ends_the_call_sent_ahead_keeps_the_unit_and_the_next_queued_request_goes_ahead()
    {
        var (scheduler, _) = Started(slots: 1);
        var running = Anywhere(scheduler);
        var ahead = Anywhere(scheduler, "ahead");
        var queued = Anywhere(scheduler, "queued");

        var release = scheduler.Release(running.Lease, succeeded: true);

        // The freed unit is not offered to anyone else: the call sent ahead runs on it now.
        Assert.Same(queued.Waiter, release.Next);
        Assert.False(release.Next!.TryClaim());
        Assert.Equal(2, scheduler.View(0).InFlight);

        // Then both end and the worker is free again.
        Assert.Null(scheduler.Release(ahead.Lease, succeeded: true).Next);
        Assert.Null(scheduler.Release(running.Lease, succeeded: true).Next);
        Assert.Equal(0, scheduler.View(0).InFlight);
        Assert.Equal(AcquireStatus.Granted, Anywhere(scheduler).Status);
    }

    [Fact]
    public void A_queued_stream_or_session_request_is_not_sent_ahead_when_a_unit_is_taken_over()
    {
        var (scheduler, _) = Started(slots: 1);
        var running = Anywhere(scheduler);
        Anywhere(scheduler, "ahead");
        var stream = scheduler.Acquire("stream, may not go ahead");

        var release = scheduler.Release(running.Lease, succeeded: true);

        Assert.Null(release.Next);
        Assert.True(stream.Waiter!.TryClaim(), "the stream still waits for a unit of its own");
    }

    [Fact]
    public void A_recycling_worker_or_one_a_session_request_waits_for_gets_nothing_ahead()
    {
        var (scheduler, workers) = Started(slots: 2);
        Anywhere(scheduler);
        Anywhere(scheduler);
        Assert.False(scheduler.StartRecycling(0, workers[0]), "busy: it recycles once its call ends");
        Assert.Equal(AcquireStatus.Queued, scheduler.AcquirePreferred(1, workers[1], name: "waits for w1").Status);

        Assert.Equal(AcquireStatus.Queued, Anywhere(scheduler).Status);
    }

    [Fact]
    public void An_exited_worker_gets_nothing_ahead_and_its_replacement_starts_with_no_call_ahead()
    {
        var (scheduler, workers) = Started(slots: 1);
        var running = Anywhere(scheduler);
        var ahead = Anywhere(scheduler, "ahead");
        workers[0].HasExited = true;
        Assert.Equal(AcquireStatus.Queued, Anywhere(scheduler, "queued").Status);
        scheduler.WorkerExited(0, workers[0], crashed: true);

        // Both calls fail with the process (the connection fails every pending call): nothing is handed on.
        Assert.Null(scheduler.Release(running.Lease, succeeded: false).Next);
        Assert.Null(scheduler.Release(ahead.Lease, succeeded: false).Next);

        var replacement = new FakeWorker("w0'");
        var claimed = scheduler.Attach(0, replacement, recycleAtRequest: 0);
        Assert.Single(claimed);
        var next = Anywhere(scheduler, "next");
        Assert.True(next.SentAhead, "the replacement runs the queued request and takes one ahead");
        Assert.Same(replacement, next.Lease.Worker);
    }
}

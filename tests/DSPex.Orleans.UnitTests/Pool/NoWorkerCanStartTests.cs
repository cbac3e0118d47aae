using DSPex.Orleans.Workers.Scheduling;

namespace DSPex.Orleans.UnitTests.Pool;

/// <summary>
/// A pool whose workers all fail to start (each slot twice in a row) answers its callers with the start error at once,
/// instead of queueing them until a retry (back-off up to 30 s) or their queue timeout; one failure in a row is waited
/// out (its retry comes at once), a start under way is still waited for, a crash waiting for its restart is not a start
/// failure, and the supervisor's retries go on.
/// </summary>
[Trait("Category", "Unit")]
public sealed class NoWorkerCanStartTests
{
    [Fact]
    public void A_request_is_refused_with_the_start_error_once_every_active_slot_failed_to_start()
    {
        var scheduler = SchedulerFixture.Create(slots: 2);
        FailTwice(scheduler, 0, "no module named adapters");

        // Slot 1 has not failed twice (its retry may still start): the request waits for it.
        Assert.Empty(scheduler.StartFailed(1, "no module named adapters either"));
        var waiting = scheduler.Acquire();
        Assert.Equal(AcquireStatus.Queued, waiting.Status);

        var stranded = scheduler.StartFailed(1, "no module named adapters either");

        Assert.Equal([waiting.Waiter!], stranded);
        Assert.Equal(0, scheduler.QueuedCount());
        var refused = scheduler.Acquire();
        Assert.Equal(AcquireStatus.NoWorkerCanStart, refused.Status);
        Assert.Equal("no module named adapters", refused.StartError);
        Assert.Null(refused.Waiter);
    }

    [Fact]
    public void A_start_under_way_is_waited_for_and_its_failure_hands_back_the_requests_that_waited()
    {
        var scheduler = SchedulerFixture.Create(slots: 1);
        FailTwice(scheduler, 0, "second");
        Assert.Equal(AcquireStatus.NoWorkerCanStart, scheduler.Acquire().Status);

        scheduler.StartBegins(0);
        var waiting = scheduler.Acquire();
        Assert.Equal(AcquireStatus.Queued, waiting.Status);

        Assert.Equal([waiting.Waiter!], scheduler.StartFailed(0, "third"));
        var refused = scheduler.Acquire();
        Assert.Equal((AcquireStatus.NoWorkerCanStart, "third"), (refused.Status, refused.StartError));
    }

    [Fact]
    public void A_start_under_way_that_succeeds_serves_the_requests_that_waited()
    {
        var scheduler = SchedulerFixture.Create(slots: 1);
        FailTwice(scheduler, 0, "first");
        scheduler.StartBegins(0);
        var waiting = scheduler.Acquire();

        var claimed = scheduler.Attach(0, new FakeWorker("w0"), recycleAtRequest: 0);

        Assert.Same(waiting.Waiter, Assert.Single(claimed).Waiter);
        Assert.Equal(AcquireStatus.Queued, scheduler.Acquire().Status); // busy, not "cannot start"
    }

    [Fact]
    public void With_one_live_worker_a_failing_slot_does_not_refuse_requests_and_strands_none()
    {
        var scheduler = SchedulerFixture.Create(slots: 2);
        scheduler.Attach(0, new FakeWorker("w0"), recycleAtRequest: 0);
        Assert.Equal(AcquireStatus.Granted, scheduler.Acquire().Status);
        var waiting = scheduler.Acquire();

        Assert.Empty(scheduler.StartFailed(1, "boom"));

        Assert.Equal(AcquireStatus.Queued, waiting.Status);
        Assert.Equal(1, scheduler.QueuedCount());
        Assert.Equal(AcquireStatus.Queued, scheduler.Acquire().Status);
    }

    [Fact]
    public void A_worker_that_crashed_and_waits_for_its_restart_is_not_a_start_failure()
    {
        var (scheduler, workers) = SchedulerFixture.Started(slots: 1);
        workers[0].HasExited = true;
        scheduler.WorkerExited(0, workers[0], crashed: true);

        Assert.Equal(AcquireStatus.Queued, scheduler.Acquire().Status);
    }

    [Fact]
    public void A_request_with_a_preferred_worker_is_never_refused_as_cannot_start()
    {
        var scheduler = SchedulerFixture.Create(slots: 1);
        FailTwice(scheduler, 0, "boom");

        Assert.Equal(AcquireStatus.PreferredGone, scheduler.AcquirePreferred(0, new FakeWorker("w0")).Status);
    }

    [Fact]
    public async Task While_the_retry_waits_out_its_back_off_a_request_is_refused_at_once_and_the_retries_go_on()
    {
        var backOffBegins = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var fixture = new SupervisorFixture { HeldBackOff = new(TaskCreationOptions.RunContinuationsAsynchronously), DuringWait = () => backOffBegins.TrySetResult() };
        fixture.FailNextStarts(3);
        var beforeAnyStart = fixture.Scheduler.Acquire();
        Assert.Equal(AcquireStatus.Queued, beforeAnyStart.Status);

        await fixture.Supervisor.StartAsync(retryInBackground: true);

        // The warm-up failed and its retry ran at once (no back-off after one failure), failed too, and now waits out
        // its back-off, which the test holds: no start under way. The request that waited for both fails with the second's error.
        await backOffBegins.Task.WaitAsync(TimeSpan.FromSeconds(30)); // a hang guard only
        Assert.Equal((2, 1), (fixture.StartCalls, fixture.Waits.Count));
        var waited = (RecordingWaiter)beforeAnyStart.Waiter!;
        Assert.True(waited.GaveUp);
        Assert.Equal("start 2 failed", waited.StartError);

        var refused = fixture.Scheduler.Acquire();

        Assert.Equal((AcquireStatus.NoWorkerCanStart, "start 2 failed"), (refused.Status, refused.StartError));
        Assert.Equal(2, fixture.StartCalls); // answered before the next retry began

        // The retries were not stopped: released, they go on until a start succeeds, and then requests are served.
        fixture.HeldBackOff!.SetResult();
        await fixture.SettledAsync();
        Assert.Equal(4, fixture.StartCalls);
        Assert.NotNull(fixture.Supervisor.Worker);
        Assert.Equal(AcquireStatus.Granted, fixture.Scheduler.Acquire().Status);
    }

    [Fact]
    public void One_failed_start_in_a_row_keeps_requests_queued_for_its_retry_which_serves_them()
    {
        var scheduler = SchedulerFixture.Create(slots: 1);
        var waiting = scheduler.Acquire();

        Assert.Empty(scheduler.StartFailed(0, "fork refused: out of memory"));
        var queued = scheduler.Acquire();
        Assert.Equal(AcquireStatus.Queued, queued.Status);

        scheduler.StartBegins(0);
        var claimed = scheduler.Attach(0, new FakeWorker("w0"), recycleAtRequest: 0);

        Assert.Same(waiting.Waiter, Assert.Single(claimed).Waiter);
    }

    [Fact]
    public void A_worker_that_joins_between_failures_starts_the_count_again()
    {
        var scheduler = SchedulerFixture.Create(slots: 1);
        scheduler.StartFailed(0, "before it joined");
        var worker = new FakeWorker("w0");
        scheduler.Attach(0, worker, recycleAtRequest: 0);
        worker.HasExited = true;
        scheduler.WorkerExited(0, worker, crashed: true);

        Assert.Empty(scheduler.StartFailed(0, "after it died"));
        Assert.Equal(AcquireStatus.Queued, scheduler.Acquire().Status);
    }

    private static void FailTwice(CapacityScheduler<FakeWorker> scheduler, int slot, string error)
    {
        for (var i = 0; i < CapacityScheduler<FakeWorker>.StartFailuresBeforeRefusing; i++)
        {
            scheduler.StartFailed(slot, error);
        }
    }
}

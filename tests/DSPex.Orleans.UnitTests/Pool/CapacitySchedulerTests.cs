using DSPex.Orleans.Workers.Scheduling;

namespace DSPex.Orleans.UnitTests.Pool;

/// <summary>The pool's scheduling rules, without a process: grants, queues, hand-off, dead and recycling workers.</summary>
[Trait("Category", "Unit")]
public sealed class CapacitySchedulerTests
{
    [Fact]
    public void Each_worker_is_granted_up_to_its_concurrency_then_requests_queue()
    {
        var (scheduler, workers) = SchedulerFixture.Started(slots: 2, concurrency: 2);

        var grants = Enumerable.Range(0, 4).Select(_ => scheduler.Acquire()).ToList();
        var fifth = scheduler.Acquire();

        Assert.All(grants, g => Assert.Equal(AcquireStatus.Granted, g.Status));
        Assert.Equal(2, grants.Count(g => g.Lease.Worker == workers[0]));
        Assert.Equal(2, grants.Count(g => g.Lease.Worker == workers[1]));
        Assert.Equal(AcquireStatus.Queued, fifth.Status);
        Assert.Equal(1, scheduler.QueuedCount());
    }

    [Fact]
    public void A_freed_unit_is_handed_to_the_first_queued_request_which_it_claims()
    {
        var (scheduler, _) = SchedulerFixture.Started(slots: 1);
        var lease = scheduler.Acquire().Lease;
        var first = scheduler.Acquire("first");
        var second = scheduler.Acquire("second");

        var release = scheduler.Release(lease, succeeded: true);

        Assert.Same(first.Waiter, release.Next);
        Assert.False(release.Next!.TryClaim());
        Assert.Equal(1, scheduler.QueuedCount());
        Assert.Equal(1, scheduler.View(0).InFlight);
        Assert.Equal(AcquireStatus.Queued, second.Status);
    }

    [Fact]
    public void A_request_waiting_for_this_very_worker_gets_it_before_the_general_queue()
    {
        var (scheduler, workers) = SchedulerFixture.Started(slots: 1);
        var lease = scheduler.Acquire().Lease;
        var general = scheduler.Acquire("general, queued first");
        var preferred = scheduler.AcquirePreferred(0, workers[0], name: "waits for w0");

        var release = scheduler.Release(lease, succeeded: true);

        Assert.Equal(AcquireStatus.Queued, preferred.Status);
        Assert.Same(preferred.Waiter, release.Next);
        Assert.True(general.Waiter!.TryClaim());
    }

    [Fact]
    public void A_waiter_that_gave_up_is_skipped_and_the_unit_goes_to_the_next()
    {
        var (scheduler, _) = SchedulerFixture.Started(slots: 1);
        var lease = scheduler.Acquire().Lease;
        var timedOut = scheduler.Acquire("timed out");
        var next = scheduler.Acquire("next");
        timedOut.Waiter!.Abandon();

        var release = scheduler.Release(lease, succeeded: true);

        Assert.True(((RecordingWaiter)timedOut.Waiter).GaveUp);
        Assert.Same(next.Waiter, release.Next);
    }

    [Fact]
    public void A_claimed_waiter_cannot_give_up_afterwards()
    {
        var (scheduler, _) = SchedulerFixture.Started(slots: 1);
        var lease = scheduler.Acquire().Lease;
        var waiting = scheduler.Acquire();
        var release = scheduler.Release(lease, succeeded: true);

        release.Next!.Abandon();

        Assert.False(((RecordingWaiter)waiting.Waiter!).GaveUp);
    }

    [Fact]
    public void A_dead_worker_is_never_granted_even_with_free_units()
    {
        var (scheduler, workers) = SchedulerFixture.Started(slots: 2);
        workers[0].HasExited = true;

        var first = scheduler.Acquire();
        var second = scheduler.Acquire();

        Assert.Equal(AcquireStatus.Granted, first.Status);
        Assert.Same(workers[1], first.Lease.Worker);
        Assert.Equal(AcquireStatus.Queued, second.Status);
        Assert.Equal("dead", scheduler.View(0).State);
    }

    [Fact]
    public void A_replaced_worker_s_units_are_stale_and_only_the_new_worker_is_granted()
    {
        var (scheduler, workers) = SchedulerFixture.Started(slots: 1, concurrency: 2);
        var old = scheduler.Acquire().Lease;
        var fresh = new FakeWorker("w0 again");
        scheduler.Attach(0, fresh, recycleAtRequest: 0);

        var release = scheduler.Release(old, succeeded: true);
        var grants = new[] { scheduler.Acquire(), scheduler.Acquire(), scheduler.Acquire() };

        Assert.Null(release.Next);
        Assert.All(grants.Take(2), g => Assert.Same(fresh, g.Lease.Worker));
        Assert.Equal(AcquireStatus.Queued, grants[2].Status);
        Assert.DoesNotContain(grants, g => g.Lease.Worker == workers[0]);
    }

    [Fact]
    public void The_release_of_a_dead_worker_s_unit_hands_nothing_on_and_frees_nothing()
    {
        var (scheduler, workers) = SchedulerFixture.Started(slots: 1);
        var lease = scheduler.Acquire().Lease;
        var waiting = scheduler.Acquire();
        workers[0].HasExited = true;

        var release = scheduler.Release(lease, succeeded: false);

        Assert.Null(release.Next);
        Assert.True(waiting.Waiter!.TryClaim());
        Assert.Equal(0, scheduler.View(0).InFlight);
    }

    [Fact]
    public void The_general_queue_is_bounded_and_a_request_past_it_is_saturated()
    {
        var (scheduler, _) = SchedulerFixture.Started(slots: 1, maxQueueLength: 2);
        scheduler.Acquire();
        scheduler.Acquire();
        scheduler.Acquire();

        var refused = scheduler.Acquire();

        Assert.Equal(AcquireStatus.Saturated, refused.Status);
        Assert.Equal(2, refused.Queued);
        Assert.Null(refused.Waiter);
    }

    [Fact]
    public void A_worker_s_own_queue_is_bounded_too()
    {
        var (scheduler, workers) = SchedulerFixture.Started(slots: 2, maxQueueLength: 1);
        scheduler.AcquirePreferred(0, workers[0]);
        scheduler.AcquirePreferred(0, workers[0]);

        var refused = scheduler.AcquirePreferred(0, workers[0]);

        Assert.Equal(AcquireStatus.Saturated, refused.Status);
        Assert.Equal(AcquireStatus.Granted, scheduler.Acquire().Status);
    }

    [Fact]
    public void A_preferred_worker_that_is_busy_refuses_when_the_request_may_not_wait()
    {
        var (scheduler, workers) = SchedulerFixture.Started(slots: 2);
        scheduler.AcquirePreferred(0, workers[0]);

        var busy = scheduler.AcquirePreferred(0, workers[0], mayWait: false);

        Assert.Equal(AcquireStatus.PreferredBusy, busy.Status);
        Assert.Equal(0, scheduler.QueuedCount());
    }

    [Fact]
    public void A_preferred_worker_that_is_no_longer_the_slot_s_is_gone()
    {
        var (scheduler, workers) = SchedulerFixture.Started(slots: 1);
        scheduler.Attach(0, new FakeWorker("replacement"), recycleAtRequest: 0);

        Assert.Equal(AcquireStatus.PreferredGone, scheduler.AcquirePreferred(0, workers[0]).Status);
    }

    [Fact]
    public void When_a_worker_dies_its_own_waiters_move_on_and_the_general_queue_keeps_waiting()
    {
        var (scheduler, workers) = SchedulerFixture.Started(slots: 1);
        scheduler.Acquire();
        var own = (RecordingWaiter)scheduler.AcquirePreferred(0, workers[0]).Waiter!;
        var general = (RecordingWaiter)scheduler.Acquire().Waiter!;
        workers[0].HasExited = true;

        var wasCurrent = scheduler.WorkerExited(0, workers[0], crashed: true);

        Assert.True(wasCurrent);
        Assert.True(own.GaveUp);
        Assert.True(own.WorkerGone);
        Assert.False(general.GaveUp);
        Assert.Equal(1, scheduler.ConsecutiveFailures(0));
        Assert.False(scheduler.WorkerExited(0, workers[0], crashed: true));
    }

    [Fact]
    public void A_new_worker_hands_its_units_to_requests_already_waiting()
    {
        var scheduler = SchedulerFixture.Create(slots: 1, concurrency: 2);
        var first = scheduler.Acquire("first");
        var second = scheduler.Acquire("second");
        var worker = new FakeWorker("w0");

        var claimed = scheduler.Attach(0, worker, recycleAtRequest: 0);

        Assert.Equal([first.Waiter, second.Waiter], claimed.Select(c => c.Waiter));
        Assert.All(claimed, c => Assert.Same(worker, c.Lease.Worker));
        Assert.Equal(2, scheduler.View(0).InFlight);
    }

    [Fact]
    public void A_draining_or_stopped_scheduler_takes_no_new_work_and_stop_returns_what_waited()
    {
        var (scheduler, workers) = SchedulerFixture.Started(slots: 1);
        scheduler.Acquire();
        var waiting = scheduler.Acquire().Waiter;
        scheduler.BeginDrain();

        Assert.Equal(AcquireStatus.Closed, scheduler.Acquire().Status);
        var (abandoned, stopped) = scheduler.Stop();
        Assert.Equal([waiting!], abandoned);
        Assert.Equal([workers[0]], stopped);
    }

    [Fact]
    public void Success_resets_the_failures_in_a_row_and_a_failed_start_counts_one()
    {
        var (scheduler, _) = SchedulerFixture.Started(slots: 1);
        scheduler.StartFailed(0, "boom");
        Assert.Equal(1, scheduler.ConsecutiveFailures(0));
        scheduler.StartFailed(0, "boom again");
        Assert.Equal(2, scheduler.ConsecutiveFailures(0));
        var lease = scheduler.Acquire().Lease;

        scheduler.Release(lease, succeeded: true);

        Assert.Equal(0, scheduler.ConsecutiveFailures(0));
    }

    [Fact]
    public void With_no_live_worker_the_last_start_error_is_reported()
    {
        var scheduler = SchedulerFixture.Create(slots: 2);
        Assert.True(scheduler.HasNoLiveWorker(out var none));
        Assert.Null(none);

        scheduler.StartFailed(1, "no module named adapters");

        Assert.True(scheduler.HasNoLiveWorker(out var error));
        Assert.Equal("no module named adapters", error);
        scheduler.Attach(0, new FakeWorker("w0"), recycleAtRequest: 0);
        Assert.False(scheduler.HasNoLiveWorker(out _));
    }
}

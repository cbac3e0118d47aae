using DSPex.Orleans.Workers.Scheduling;

namespace DSPex.Orleans.UnitTests.Pool;

/// <summary>
/// The scheduler's side of an elastic pool: parked slots are not part of the pool, a retired slot is granted nothing
/// from the moment it is retired, only an idle slot can be retired, and a parked slot comes back only once its worker left.
/// </summary>
[Trait("Category", "Unit")]
public sealed class ElasticSchedulerTests
{
    private static (CapacityScheduler<FakeWorker> Scheduler, FakeWorker[] Workers) Elastic(int min, int max)
    {
        var scheduler = new CapacityScheduler<FakeWorker>([.. Enumerable.Range(0, max).Select(i => $"w{i}")], 1, 10, static w => w.HasExited, activeSlots: min);
        var workers = Enumerable.Range(0, min).Select(i => new FakeWorker($"w{i}")).ToArray();
        for (var i = 0; i < min; i++)
        {
            scheduler.Attach(i, workers[i], recycleAtRequest: 0);
        }

        return (scheduler, workers);
    }

    [Fact]
    public void Parked_slots_are_neither_counted_nor_listed_and_requests_queue_rather_than_reach_them()
    {
        var (scheduler, _) = Elastic(min: 1, max: 3);

        Assert.Equal(1, scheduler.ActiveCount);
        Assert.Single(scheduler.ViewAll().Slots);
        Assert.Equal(AcquireStatus.Granted, scheduler.Acquire().Status);
        Assert.Equal(AcquireStatus.Queued, scheduler.Acquire().Status);
        var observed = scheduler.Observe();
        Assert.Equal((1, 0, true, 1), (observed.Active, observed.Starting, observed.AllBusy, observed.Queued));
    }

    [Fact]
    public void An_activated_slot_counts_as_starting_until_its_worker_joins_and_then_serves_the_queue()
    {
        var (scheduler, _) = Elastic(min: 1, max: 3);
        scheduler.Acquire();
        var queued = scheduler.Acquire();

        Assert.Equal([1, 2], scheduler.Activate(5));
        Assert.Equal((3, 2), (scheduler.Observe().Active, scheduler.Observe().Starting));
        var claimed = scheduler.Attach(1, new FakeWorker("w1'"), recycleAtRequest: 0);

        Assert.Same(queued.Waiter, Assert.Single(claimed).Waiter);
    }

    [Fact]
    public void A_retired_slot_is_granted_nothing_and_its_exit_is_not_counted_as_a_crash()
    {
        var (scheduler, workers) = Elastic(min: 2, max: 2);

        Assert.Same(workers[1], scheduler.Retire(1));
        var first = scheduler.Acquire();
        var second = scheduler.Acquire();

        Assert.Same(workers[0], first.Lease.Worker);
        Assert.Equal(AcquireStatus.Queued, second.Status);
        Assert.Equal("retiring", scheduler.View(1).State);
        Assert.Equal(AcquireStatus.PreferredGone, scheduler.AcquirePreferred(1, workers[1]).Status);

        workers[1].HasExited = true;
        Assert.True(scheduler.WorkerExited(1, workers[1], crashed: true));
        Assert.Equal(0, scheduler.ConsecutiveFailures(1));
        Assert.False(scheduler.IsActive(1));
        Assert.Equal("parked", scheduler.View(1).State);
    }

    [Fact]
    public void Only_an_idle_live_slot_can_be_retired()
    {
        var (scheduler, workers) = Elastic(min: 3, max: 3);
        scheduler.Acquire(); // slot 0 busy
        scheduler.AcquirePreferred(1, workers[1]); // slot 1 busy
        scheduler.AcquirePreferred(1, workers[1]); // and a session request waits for it
        workers[2].HasExited = true;

        Assert.Null(scheduler.Retire(0));
        Assert.Null(scheduler.Retire(1));
        Assert.Null(scheduler.Retire(2));
        Assert.Equal(3, scheduler.ActiveCount);
    }

    [Fact]
    public void A_retired_slot_is_not_reactivated_until_its_worker_has_left()
    {
        var (scheduler, workers) = Elastic(min: 2, max: 2);
        scheduler.Retire(1);

        Assert.Empty(scheduler.Activate(1));
        scheduler.WorkerExited(1, workers[1], crashed: false);
        Assert.Equal([1], scheduler.Activate(1));
    }

    [Fact]
    public void The_observation_lists_idle_slots_with_when_they_became_idle()
    {
        var (scheduler, _) = Elastic(min: 2, max: 2);
        var before = Environment.TickCount64;
        var lease = scheduler.Acquire().Lease;
        scheduler.Release(lease, succeeded: true);

        var idle = scheduler.Observe().IdleSlots;

        Assert.Equal([0, 1], idle.Select(i => i.Slot).Order());
        Assert.True(idle.Single(i => i.Slot == lease.Slot.Index).IdleSinceMs >= before);
        Assert.False(scheduler.Observe().AllBusy);
    }

    [Fact]
    public void A_pool_of_minimum_zero_has_no_slot_active_and_its_first_call_activates_one_slot_only()
    {
        var (scheduler, _) = Elastic(min: 0, max: 3);
        Assert.Equal(0, scheduler.ActiveCount);
        Assert.Empty(scheduler.ViewAll().Slots);
        var first = scheduler.Acquire();
        var second = scheduler.Acquire();
        Assert.Equal((AcquireStatus.Queued, AcquireStatus.Queued), (first.Status, second.Status));

        // Concurrent first calls each ask; one slot is activated, the rest find it active.
        Assert.Equal(0, scheduler.ActivateFirst());
        Assert.Null(scheduler.ActivateFirst());
        Assert.Equal(1, scheduler.ActiveCount);
        Assert.Equal(2, scheduler.GeneralWaiters().Count);

        // Its start failed. One failure hands back nothing (a supervisor's retry would follow at once), but an
        // on-demand start has no retry: the pool fails the calls waiting for it itself (LocalWorkerPool.OnDemand) and
        // parks the slot again, so the next first call activates it afresh and waits for that start.
        Assert.Empty(scheduler.StartFailed(0, "no"));
        Assert.Equal([first.Waiter!, second.Waiter!], scheduler.GeneralWaiters());
        foreach (var waiter in scheduler.GeneralWaiters())
        {
            waiter.AbandonForFailedStart("no");
        }

        Assert.True(scheduler.Park(0));
        Assert.Equal(0, scheduler.ActiveCount);
        var third = scheduler.Acquire();
        Assert.Equal(AcquireStatus.Queued, third.Status);
        Assert.Equal(0, scheduler.ActivateFirst());
        var claimed = scheduler.Attach(0, new FakeWorker("w0"), recycleAtRequest: 0);
        Assert.Same(third.Waiter, Assert.Single(claimed).Waiter);
        Assert.False(scheduler.Park(0)); // it has a worker now
    }

    [Fact]
    public void The_last_idle_worker_of_a_pool_of_minimum_zero_can_be_retired()
    {
        var (scheduler, _) = Elastic(min: 0, max: 2);
        scheduler.ActivateFirst();
        scheduler.Attach(0, new FakeWorker("w0"), recycleAtRequest: 0);

        Assert.NotNull(scheduler.Retire(0));
        Assert.Equal(0, scheduler.ActiveCount);
        Assert.Equal(AcquireStatus.Queued, scheduler.Acquire().Status);
    }
}

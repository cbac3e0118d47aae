using DSPex.Orleans.Workers.Scheduling;

namespace DSPex.Orleans.UnitTests.Pool;

/// <summary>At ConcurrencyPerWorker above 1, a request that may go anywhere gets a unit of the least busy worker.</summary>
[Trait("Category", "Unit")]
public sealed class LeastBusyUnitTests
{
    [Fact]
    public void Two_callers_get_two_workers_not_two_units_of_the_first()
    {
        var (scheduler, workers) = SchedulerFixture.Started(slots: 2, concurrency: 2);

        var first = scheduler.Acquire().Lease;
        var second = scheduler.Acquire().Lease;

        Assert.Same(workers[0], first.Worker);
        Assert.Same(workers[1], second.Worker);
    }

    [Fact]
    public void A_freed_unit_goes_to_the_idle_worker_rather_than_the_one_still_running_a_call()
    {
        var (scheduler, workers) = SchedulerFixture.Started(slots: 2, concurrency: 2);
        var onFirst = scheduler.Acquire().Lease;
        var onSecond = scheduler.Acquire().Lease;

        // w0 frees its unit and goes to the back of the free list; w1 still runs a call.
        scheduler.Release(onFirst, succeeded: true);
        var next = scheduler.Acquire().Lease;

        Assert.Same(workers[0], next.Worker);
        Assert.Same(workers[1], onSecond.Worker);
    }

    [Fact]
    public void With_every_worker_equally_busy_the_first_freed_unit_is_taken()
    {
        var (scheduler, workers) = SchedulerFixture.Started(slots: 2, concurrency: 2);
        var leases = Enumerable.Range(0, 4).Select(_ => scheduler.Acquire().Lease).ToList();

        scheduler.Release(leases.First(l => l.Worker == workers[1]), succeeded: true);
        scheduler.Release(leases.First(l => l.Worker == workers[0]), succeeded: true);

        Assert.Same(workers[1], scheduler.Acquire().Lease.Worker);
        Assert.Same(workers[0], scheduler.Acquire().Lease.Worker);
    }

    [Fact]
    public void A_recycling_or_dead_worker_is_skipped_even_when_it_is_the_least_busy()
    {
        var (scheduler, workers) = SchedulerFixture.Started(slots: 3, concurrency: 2);
        var onFirst = scheduler.Acquire().Lease;
        var onSecond = scheduler.Acquire().Lease;
        Assert.Same(workers[1], onSecond.Worker);

        // w2 is idle but recycling; w1 has one call, w0 one: w2 must not be granted.
        Assert.True(scheduler.StartRecycling(2, workers[2]));
        workers[1].HasExited = true;

        var next = scheduler.Acquire().Lease;

        Assert.Same(workers[0], next.Worker);
        Assert.Same(workers[0], onFirst.Worker);
        Assert.Equal(AcquireStatus.Queued, scheduler.Acquire().Status);
    }

    [Fact]
    public void Switched_off_the_units_go_in_the_free_list_s_order()
    {
        var scheduler = new CapacityScheduler<FakeWorker>(["w0", "w1"], 2, 10, static w => w.HasExited, leastBusyUnit: false);
        var workers = new[] { new FakeWorker("w0"), new FakeWorker("w1") };
        scheduler.Attach(0, workers[0], recycleAtRequest: 0);
        scheduler.Attach(1, workers[1], recycleAtRequest: 0);

        Assert.Same(workers[0], scheduler.Acquire().Lease.Worker);
        Assert.Same(workers[0], scheduler.Acquire().Lease.Worker);
    }
}

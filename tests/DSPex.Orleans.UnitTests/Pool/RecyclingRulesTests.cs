using DSPex.Orleans.Workers.Scheduling;

namespace DSPex.Orleans.UnitTests.Pool;

/// <summary>When a worker is recycled: request count (jittered), age, memory; and that a recycling worker takes no new work.</summary>
[Trait("Category", "Unit")]
public sealed class RecyclingRulesTests
{
    [Theory]
    [InlineData(0.0, 90)]
    [InlineData(0.5, 100)]
    [InlineData(0.99999, 110)]
    public void The_request_limit_moves_within_the_jitter_either_way(double draw, long limit) =>
        Assert.Equal(limit, new RecyclePolicy(100, 0.1, null, 0).RequestLimit(draw));

    [Fact]
    public void No_request_limit_when_recycling_by_requests_is_off_and_never_below_one()
    {
        Assert.Equal(0, new RecyclePolicy(0, 0.1, null, 0).RequestLimit(0.5));
        Assert.Equal(1, new RecyclePolicy(1, 1.0, null, 0).RequestLimit(0.0));
    }

    [Fact]
    public void Age_and_memory_each_trigger_recycling_and_zero_or_null_turns_them_off()
    {
        var policy = new RecyclePolicy(0, 0, TimeSpan.FromMinutes(10), 100);

        Assert.False(policy.IsDue(TimeSpan.FromMinutes(9), 100));
        Assert.True(policy.IsDue(TimeSpan.FromMinutes(11), 0));
        Assert.True(policy.IsDue(TimeSpan.Zero, 101));
        Assert.False(new RecyclePolicy(0, 0, null, 0).IsDue(TimeSpan.FromDays(365), long.MaxValue));
    }

    [Fact]
    public void At_its_request_limit_an_idle_worker_is_due_and_takes_no_new_work()
    {
        var scheduler = SchedulerFixture.Create(slots: 1);
        var worker = new FakeWorker("w0");
        scheduler.Attach(0, worker, recycleAtRequest: 2);

        var first = scheduler.Release(scheduler.Acquire().Lease, succeeded: true);
        var second = scheduler.Release(scheduler.Acquire().Lease, succeeded: true);

        Assert.False(first.RecycleNow);
        Assert.True(second.RecycleNow);
        Assert.Equal("recycling", scheduler.View(0).State);
        Assert.Equal(AcquireStatus.Queued, scheduler.Acquire().Status);
    }

    [Fact]
    public void A_busy_worker_due_for_recycling_is_recycled_when_its_last_request_ends()
    {
        var scheduler = SchedulerFixture.Create(slots: 1, concurrency: 2);
        var worker = new FakeWorker("w0");
        scheduler.Attach(0, worker, recycleAtRequest: 0);
        var a = scheduler.Acquire().Lease;
        var b = scheduler.Acquire().Lease;

        Assert.False(scheduler.StartRecycling(0, worker));
        Assert.False(scheduler.StartRecycling(0, worker));
        var firstDone = scheduler.Release(a, succeeded: true);
        var lastDone = scheduler.Release(b, succeeded: true);

        Assert.False(firstDone.RecycleNow);
        Assert.Null(firstDone.Next);
        Assert.True(lastDone.RecycleNow);
    }

    [Fact]
    public void An_idle_worker_is_recycled_at_once_and_only_once()
    {
        var (scheduler, workers) = SchedulerFixture.Started(slots: 1);

        Assert.True(scheduler.StartRecycling(0, workers[0]));
        Assert.False(scheduler.StartRecycling(0, workers[0]));
        Assert.False(scheduler.StartRecycling(0, new FakeWorker("not the slot's")));
    }

    [Fact]
    public void A_new_worker_in_the_slot_is_not_recycling()
    {
        var (scheduler, workers) = SchedulerFixture.Started(slots: 1);
        scheduler.StartRecycling(0, workers[0]);

        scheduler.Attach(0, new FakeWorker("fresh"), recycleAtRequest: 0);

        Assert.Equal("idle", scheduler.View(0).State);
        Assert.Equal(AcquireStatus.Granted, scheduler.Acquire().Status);
    }
}

using DSPex.Orleans.Workers.Scheduling;
using DSPex.Orleans.Workers.Timing;

namespace DSPex.Orleans.UnitTests.Pool;

/// <summary>Queue timeouts come from the scheduler's one timer (no timer or linked token per queued request).</summary>
[Trait("Category", "Unit")]
public sealed class QueueGiveUpTimerTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private sealed class TimedWaiter : QueuedWaiter
    {
        public TaskCompletionSource GaveUp { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        protected override void OnGaveUp() => GaveUp.TrySetResult();
    }

    private static Acquisition<FakeWorker> Queue(CapacityScheduler<FakeWorker> scheduler, long giveUpAt) =>
        scheduler.Acquire<long>(null, null, true, giveUpAt, static at => new TimedWaiter { GiveUpAt = at });

    [Fact]
    public async Task A_queued_request_gives_up_at_its_limit_and_the_next_one_keeps_its_place()
    {
        var (scheduler, _) = SchedulerFixture.Started(slots: 1);
        var lease = scheduler.Acquire().Lease;
        var limited = Queue(scheduler, DeadlineTimer.Now + 40);
        var unlimited = Queue(scheduler, long.MaxValue);

        await ((TimedWaiter)limited.Waiter!).GaveUp.Task.WaitAsync(Wait);
        var release = scheduler.Release(lease, succeeded: true);

        Assert.Same(unlimited.Waiter, release.Next);
        Assert.False(((TimedWaiter)unlimited.Waiter!).GaveUp.Task.IsCompleted);
    }

    [Fact]
    public async Task A_waiter_claimed_before_its_limit_does_not_give_up_when_the_limit_passes()
    {
        var (scheduler, _) = SchedulerFixture.Started(slots: 1);
        var lease = scheduler.Acquire().Lease;
        var claimed = Queue(scheduler, DeadlineTimer.Now + 40);
        var later = Queue(scheduler, DeadlineTimer.Now + 120);

        Assert.Same(claimed.Waiter, scheduler.Release(lease, succeeded: true).Next);
        // The later waiter giving up means the timer has swept past the claimed one's limit.
        await ((TimedWaiter)later.Waiter!).GaveUp.Task.WaitAsync(Wait);

        Assert.False(((TimedWaiter)claimed.Waiter!).GaveUp.Task.IsCompleted);
    }
}

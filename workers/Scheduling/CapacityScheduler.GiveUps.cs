using DSPex.Orleans.Workers.Timing;

namespace DSPex.Orleans.Workers.Scheduling;

/// <summary>
/// Queue timeouts: one timer for every queued request (created with the first one that has a limit), armed at the
/// earliest <see cref="QueuedWaiter.GiveUpAt"/>; when it fires, every waiter past its limit is abandoned (unless a
/// releasing thread claimed it first). No timer or linked token per queued request.
/// </summary>
internal sealed partial class CapacityScheduler<TWorker>
{
    private DeadlineTimer? _giveUps; // guarded by _lock

    /// <summary>Under _lock.</summary>
    private void TrackGiveUp(long giveUpAt)
    {
        if (giveUpAt != long.MaxValue)
        {
            (_giveUps ??= new DeadlineTimer(AbandonTimedOut)).Track(giveUpAt);
        }
    }

    private void AbandonTimedOut()
    {
        List<QueuedWaiter>? due = null;
        var next = long.MaxValue;
        lock (_lock)
        {
            var now = DeadlineTimer.Now;
            Collect(_waiters);
            foreach (var slot in _slots)
            {
                Collect(slot.Waiters);
            }

            _giveUps?.Track(next);

            void Collect(LinkedList<QueuedWaiter> queue)
            {
                foreach (var waiter in queue)
                {
                    if (waiter.GiveUpAt <= now)
                    {
                        (due ??= []).Add(waiter);
                    }
                    else
                    {
                        next = Math.Min(next, waiter.GiveUpAt);
                    }
                }
            }
        }

        // Outside the lock: giving up completes the waiter, and its owner then takes it out of its queue (Forget).
        if (due is not null)
        {
            foreach (var waiter in due)
            {
                waiter.Abandon();
            }
        }
    }
}

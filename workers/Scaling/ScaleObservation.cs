namespace DSPex.Orleans.Workers.Scaling;

/// <summary>
/// The pool as the scaler sees it at one moment, read under the scheduler's lock.
/// </summary>
/// <param name="Active">Slots that count toward the pool's size: live, starting or restarting (not parked, not retiring).</param>
/// <param name="Starting">Active slots without a live worker yet: capacity on its way.</param>
/// <param name="AllBusy">Every live worker's capacity is taken (and at least one lives): the next request would wait.</param>
/// <param name="Queued">Requests waiting in the general queue.</param>
/// <param name="OldestQueuedAtMs">When the oldest of them was queued (<see cref="Environment.TickCount64"/>), null when none waits.</param>
/// <param name="IdleSlots">Active slots whose live worker runs nothing, nothing waits for it, and it is not recycling.</param>
internal sealed record ScaleObservation(int Active, int Starting, bool AllBusy, int Queued, long? OldestQueuedAtMs, IReadOnlyList<IdleSlot> IdleSlots)
{
    /// <summary>Requests wait, or would: the signal to grow.</summary>
    public bool UnderPressure => Queued > 0 || AllBusy;
}

/// <summary>An idle slot and since when it is idle (<see cref="Environment.TickCount64"/>).</summary>
internal readonly record struct IdleSlot(int Slot, long IdleSinceMs);

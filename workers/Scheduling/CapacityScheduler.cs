namespace DSPex.Orleans.Workers.Scheduling;

/// <summary>
/// The pool's scheduling rules, with no process in it: each worker offers <see cref="Concurrency"/> units of
/// capacity; a request takes a free unit or waits in a bounded queue (the general one, or the queue of the one
/// worker it prefers); freed capacity goes to that worker's waiters first, then to the general queue, then back
/// to the free list. A dead, replaced or recycling worker is never granted. Every member takes the one lock.
/// </summary>
internal sealed partial class CapacityScheduler<TWorker>
    where TWorker : class
{
    private readonly object _lock = new();
    private readonly WorkerSlot<TWorker>[] _slots;
    private readonly Queue<WorkerLease<TWorker>> _free = new();
    private readonly LinkedList<QueuedWaiter> _waiters = new();
    private readonly Func<TWorker, bool> _hasExited;
    private bool _stopping;
    private bool _draining;

    /// <param name="workerIds">One per slot: the pool's maximum size.</param>
    /// <param name="concurrency">Units of capacity per worker.</param>
    /// <param name="maxQueueLength">Requests each queue holds.</param>
    /// <param name="hasExited">Whether a worker is gone (never granted again).</param>
    /// <param name="sendAhead">See <see cref="SendAhead"/>.</param>
    /// <param name="activeSlots">Slots active from the start (the pool's minimum size, 0 for a pool that starts on demand); null: all of them.</param>
    public CapacityScheduler(IReadOnlyList<string> workerIds, int concurrency, int maxQueueLength, Func<TWorker, bool> hasExited, int sendAhead = 0, int? activeSlots = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sendAhead);
        ArgumentOutOfRangeException.ThrowIfZero(workerIds.Count);
        ArgumentOutOfRangeException.ThrowIfLessThan(concurrency, 1);
        var active = activeSlots ?? workerIds.Count;
        ArgumentOutOfRangeException.ThrowIfNegative(active);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(active, workerIds.Count);
        _slots = [.. workerIds.Select((id, i) => new WorkerSlot<TWorker>(i, id, active: i < active))];
        Concurrency = concurrency;
        MaxQueueLength = maxQueueLength;
        _hasExited = hasExited;
        SendAhead = sendAhead;
    }

    /// <summary>Slots: the pool's maximum size. <see cref="ActiveCount"/> is its current size.</summary>
    public int Size => _slots.Length;

    /// <summary>Units of capacity each worker offers (requests it runs at once).</summary>
    public int Concurrency { get; }

    public int MaxQueueLength { get; }

    /// <summary>
    /// Calls a busy worker may hold beyond <see cref="Concurrency"/>, written to its pipe before a running call
    /// answers so Python starts the next one without waiting for the silo's turnaround (the bridge holds it until a
    /// unit frees). Only for requests that may go anywhere (no session affinity, not streams), only to a worker that
    /// is not recycling and has no request waiting for it in particular. A slot's calls beyond Concurrency are the
    /// ones sent ahead: when a call ends with the slot still at Concurrency or more, the one sent ahead took its unit.
    /// </summary>
    public int SendAhead { get; }

    public string WorkerIdOf(int slot) => _slots[slot].WorkerId;

    /// <summary>
    /// Takes a unit of capacity, or queues a waiter made by <paramref name="createWaiter"/> (only then) when none is
    /// free. With a preferred slot, only its <paramref name="expectedWorker"/> serves; when busy the request waits
    /// in that worker's queue if <paramref name="mayWaitForPreferred"/>.
    /// </summary>
    public Acquisition<TWorker> Acquire<TState>(
        int? preferredSlot, TWorker? expectedWorker, bool mayWaitForPreferred, TState state, Func<TState, QueuedWaiter> createWaiter,
        bool mayGoAhead = false)
    {
        lock (_lock)
        {
            if (_stopping || _draining)
            {
                return new(AcquireStatus.Closed);
            }

            LinkedList<QueuedWaiter> queue;
            if (preferredSlot is { } index)
            {
                var slot = _slots[index];
                if (slot.Worker is not { } current || !ReferenceEquals(current, expectedWorker) || _hasExited(current) || !slot.Active)
                {
                    return new(AcquireStatus.PreferredGone);
                }

                if (TryTakeFreeFrom(slot, out var lease))
                {
                    return new(AcquireStatus.Granted, lease);
                }

                if (!mayWaitForPreferred)
                {
                    return new(AcquireStatus.PreferredBusy);
                }

                queue = slot.Waiters;
            }
            else
            {
                if (TryTakeFree(out var lease))
                {
                    return new(AcquireStatus.Granted, lease);
                }

                // Nobody queued before it: it may go ahead to a busy worker.
                if (mayGoAhead && _waiters.Count == 0 && TryTakeAhead(out lease))
                {
                    return new(AcquireStatus.Granted, lease, SentAhead: true);
                }

                queue = _waiters;
            }

            // Only on the way to the general queue: a request with free capacity, or with a preferred worker, never pays it.
            if (preferredSlot is null && NoWorkerCanStart() is { } startError)
            {
                return new(AcquireStatus.NoWorkerCanStart, StartError: startError);
            }

            if (queue.Count >= MaxQueueLength)
            {
                return new(AcquireStatus.Saturated, Queued: queue.Count);
            }

            var waiter = createWaiter(state);
            waiter.MayGoAhead = mayGoAhead && preferredSlot is null;
            waiter.QueuedAtMs = Environment.TickCount64;
            waiter.Node = queue.AddLast(waiter);
            TrackGiveUp(waiter.GiveUpAt);
            return new(AcquireStatus.Queued, Waiter: waiter, Queued: queue.Count);
        }
    }

    /// <summary>Takes a waiter that gave up out of its queue.</summary>
    public void Forget(QueuedWaiter waiter)
    {
        lock (_lock)
        {
            waiter.Node?.List?.Remove(waiter.Node);
        }
    }

    /// <summary>
    /// Frees a lease once its call is over (exactly once per lease: see CallLease). The unit goes to a waiter (claimed
    /// here; the caller completes it outside the lock), or back to the free list; not when its worker is gone,
    /// replaced or recycling. A worker that reached its request limit starts recycling, and is due once idle.
    /// </summary>
    public Release Release(WorkerLease<TWorker> lease, bool succeeded)
    {
        var (slot, worker) = lease;
        lock (_lock)
        {
            if (--slot.InFlight == 0)
            {
                slot.IdleSinceMs = Environment.TickCount64;
            }

            if (ReferenceEquals(slot.Worker, worker))
            {
                slot.WorkerInFlight--;
            }
            slot.Served++;
            slot.ServedByWorker++;
            if (succeeded)
            {
                slot.ConsecutiveFailures = 0;
            }

            if (!ReferenceEquals(slot.Worker, worker) || _hasExited(worker) || _stopping)
            {
                return default;
            }

            if (slot.RecycleAtRequest > 0 && slot.ServedByWorker >= slot.RecycleAtRequest)
            {
                slot.Recycling = true;
            }

            if (slot.Recycling)
            {
                return new Release(null, slot.InFlight == 0);
            }

            // A call sent ahead took the unit this one freed: the next queued request may take its place ahead.
            return slot.WorkerInFlight >= Concurrency ? new Release(ClaimAhead(slot), false) : new Release(GiveCapacity(lease), false);
        }
    }

    /// <summary>No request runs or waits.</summary>
    public bool IsIdle()
    {
        lock (_lock)
        {
            return _waiters.Count == 0 && _slots.All(s => s.InFlight == 0 && s.Waiters.Count == 0);
        }
    }

    // The three below run under _lock.
    private bool IsGrantable(WorkerLease<TWorker> lease) =>
        ReferenceEquals(lease.Slot.Worker, lease.Worker) && !_hasExited(lease.Worker) && !lease.Slot.Recycling && lease.Slot.Active;

    private bool TryTakeFree(out WorkerLease<TWorker> lease)
    {
        while (_free.TryDequeue(out lease))
        {
            if (IsGrantable(lease))
            {
                Take(lease.Slot);
                return true;
            }
        }

        return false;
    }

    /// <summary>A unit of the slot's current worker granted. Under _lock.</summary>
    private static void Take(WorkerSlot<TWorker> slot)
    {
        slot.InFlight++;
        slot.WorkerInFlight++;
    }

    /// <summary>The busy worker with the fewest calls that may take one more ahead. Under _lock.</summary>
    private bool TryTakeAhead(out WorkerLease<TWorker> lease)
    {
        lease = default;
        WorkerSlot<TWorker>? best = null;
        foreach (var slot in _slots)
        {
            if (slot.WorkerInFlight < Concurrency + SendAhead && MayGoAheadTo(slot) && (best is null || slot.WorkerInFlight < best.WorkerInFlight))
            {
                best = slot;
            }
        }

        if (best is null)
        {
            return false;
        }

        Take(best);
        lease = new WorkerLease<TWorker>(best, best.Worker!);
        return true;
    }

    private bool MayGoAheadTo(WorkerSlot<TWorker> slot) =>
        SendAhead > 0 && slot.Active && slot.Worker is { } worker && !_hasExited(worker) && !slot.Recycling && slot.Waiters.Count == 0 && slot.WorkerInFlight >= Concurrency;

    /// <summary>The first general waiter, when it may go ahead, for the ahead position of this slot. Under _lock.</summary>
    private QueuedWaiter? ClaimAhead(WorkerSlot<TWorker> slot)
    {
        if (!MayGoAheadTo(slot) || slot.WorkerInFlight >= Concurrency + SendAhead)
        {
            return null;
        }

        while (_waiters.First is { } first && first.Value.MayGoAhead)
        {
            _waiters.RemoveFirst();
            first.Value.Node = null;
            if (first.Value.TryClaim())
            {
                Take(slot);
                return first.Value;
            }
        }

        return null;
    }

    private bool TryTakeFreeFrom(WorkerSlot<TWorker> slot, out WorkerLease<TWorker> lease)
    {
        lease = default;
        var found = false;
        for (var remaining = _free.Count; remaining > 0; remaining--)
        {
            var candidate = _free.Dequeue();
            if (!IsGrantable(candidate))
            {
                continue;
            }

            if (!found && ReferenceEquals(candidate.Slot, slot))
            {
                lease = candidate;
                found = true;
                Take(slot);
                continue;
            }

            _free.Enqueue(candidate);
        }

        return found;
    }

    /// <summary>Freed capacity goes first to requests waiting for this very worker, then to the general queue. Under _lock.</summary>
    private QueuedWaiter? GiveCapacity(WorkerLease<TWorker> lease)
    {
        if ((Claim(lease.Slot.Waiters) ?? Claim(_waiters)) is { } waiter)
        {
            Take(lease.Slot);
            return waiter;
        }

        _free.Enqueue(lease);
        return null;
    }

    private static QueuedWaiter? Claim(LinkedList<QueuedWaiter> waiters)
    {
        while (waiters.First is { } first)
        {
            waiters.RemoveFirst();
            first.Value.Node = null;
            if (first.Value.TryClaim())
            {
                return first.Value;
            }
        }

        return null;
    }
}

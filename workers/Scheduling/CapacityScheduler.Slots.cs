namespace DSPex.Orleans.Workers.Scheduling;

/// <summary>Workers joining and leaving their slots, recycling, stop, and what the stats read.</summary>
internal sealed partial class CapacityScheduler<TWorker>
{
    /// <summary>
    /// A started worker joins its slot with <see cref="Concurrency"/> units of capacity, handed to waiting requests
    /// first. Returns the waiters claimed; the caller completes each with its lease outside the lock.
    /// </summary>
    public List<(QueuedWaiter Waiter, WorkerLease<TWorker> Lease)> Attach(int slotIndex, TWorker worker, long recycleAtRequest)
    {
        var slot = _slots[slotIndex];
        var claimed = new List<(QueuedWaiter, WorkerLease<TWorker>)>();
        lock (_lock)
        {
            slot.Worker = worker;
            slot.Starting = false;
            slot.LastStartError = null;
            slot.StartFailuresInRow = 0;
            slot.Incarnation++;
            slot.Recycling = false;
            slot.ServedByWorker = 0;
            slot.WorkerInFlight = 0;
            slot.IdleSinceMs = Environment.TickCount64;
            slot.RecycleAtRequest = recycleAtRequest;
            for (var i = 0; i < Concurrency; i++)
            {
                var lease = new WorkerLease<TWorker>(slot, worker);
                if (GiveCapacity(lease) is { } waiter)
                {
                    claimed.Add((waiter, lease));
                }
            }
        }

        return claimed;
    }

    /// <summary>
    /// The slot's worker died or was stopped. Its units are never granted again; requests waiting for it in
    /// particular move on (they learn the worker is gone). Returns false when it was no longer the slot's worker.
    /// </summary>
    public bool WorkerExited(int slotIndex, TWorker worker, bool crashed)
    {
        var slot = _slots[slotIndex];
        lock (_lock)
        {
            if (!ReferenceEquals(slot.Worker, worker))
            {
                return false;
            }

            slot.Worker = null;
            if (crashed && slot.Active)
            {
                slot.ConsecutiveFailures++;
            }

            foreach (var waiter in slot.Waiters)
            {
                waiter.AbandonForGoneWorker();
            }

            slot.Waiters.Clear();
            return true;
        }
    }

    /// <summary>Empties the slot if it still holds this worker (its owner stops it).</summary>
    public void Detach(int slotIndex, TWorker worker)
    {
        lock (_lock)
        {
            var slot = _slots[slotIndex];
            if (ReferenceEquals(slot.Worker, worker))
            {
                slot.Worker = null;
            }
        }
    }

    /// <summary>The slot's supervisor begins a start: until it joins or fails, requests queue for it.</summary>
    public void StartBegins(int slotIndex)
    {
        lock (_lock)
        {
            _slots[slotIndex].Starting = true;
        }
    }

    /// <summary>
    /// A start failed (counted in the failures in a row, which set the restart back-off). When with it no worker can
    /// come (see <see cref="NoWorkerCanStart"/>), the general queue's requests are taken out and returned, for the
    /// caller to fail outside the lock with the start error (<see cref="QueuedWaiter.AbandonForFailedStart"/>): they
    /// would otherwise wait for a retry that may be 30 s away, or for their queue timeout. Empty otherwise.
    /// </summary>
    public List<QueuedWaiter> StartFailed(int slotIndex, string error)
    {
        lock (_lock)
        {
            var slot = _slots[slotIndex];
            slot.Starting = false;
            slot.ConsecutiveFailures++;
            slot.StartFailuresInRow++;
            slot.LastStartError = error;
            if (_waiters.Count == 0 || NoWorkerCanStart() is null)
            {
                return [];
            }

            List<QueuedWaiter> stranded = [.. _waiters];
            foreach (var waiter in stranded)
            {
                waiter.Node = null;
            }

            _waiters.Clear();
            return stranded;
        }
    }

    /// <summary>
    /// A slot's starts that must fail in a row before it counts as one no worker can come to: one failure can be
    /// passing (a fork refused under memory pressure, a start killed), and its retry follows at once (no back-off
    /// for the first failure), so requests wait for that retry; a second failure in a row is an adapter or an
    /// interpreter that cannot start, where waiting only delays the same answer.
    /// </summary>
    internal const int StartFailuresBeforeRefusing = 2;

    /// <summary>
    /// The error of a pool no worker can come to now: every active slot (at least one) has no worker, no start under
    /// way and its last <see cref="StartFailuresBeforeRefusing"/> starts failed; its supervisor retries after the
    /// back-off. Null while any active slot has a worker (even a dead one whose exit is not handled yet), is starting,
    /// or has failed fewer starts in a row (a crash waiting for its restart, a first failure whose retry comes at once),
    /// and for a pool with no active slot (one that starts on demand). Under _lock.
    /// </summary>
    private string? NoWorkerCanStart()
    {
        string? error = null;
        foreach (var slot in _slots)
        {
            if (!slot.Active)
            {
                continue;
            }

            if (slot.Worker is not null || slot.Starting || slot.LastStartError is not { } failed
                || slot.StartFailuresInRow < StartFailuresBeforeRefusing)
            {
                return null;
            }

            error ??= failed;
        }

        return error;
    }

    public int ConsecutiveFailures(int slotIndex)
    {
        lock (_lock)
        {
            return _slots[slotIndex].ConsecutiveFailures;
        }
    }

    /// <summary>
    /// Stops granting the worker (age or memory). Returns true when it is idle, so it is to be recycled now; false
    /// when its last request will trigger it, or it already recycles, or it is no longer the slot's worker.
    /// </summary>
    public bool StartRecycling(int slotIndex, TWorker worker)
    {
        lock (_lock)
        {
            var slot = _slots[slotIndex];
            if (slot.Recycling || !ReferenceEquals(slot.Worker, worker))
            {
                return false;
            }

            slot.Recycling = true;
            return slot.InFlight == 0;
        }
    }

    /// <summary>Refuses new work from now on; requests in flight and queued carry on.</summary>
    public void BeginDrain()
    {
        lock (_lock)
        {
            _draining = true;
        }
    }

    /// <summary>Refuses new work and empties every queue; returns the waiters (to abandon) and the workers (to stop).</summary>
    public (QueuedWaiter[] Waiting, TWorker[] Workers) Stop()
    {
        lock (_lock)
        {
            _stopping = true;
            QueuedWaiter[] waiting = [.. _waiters, .. _slots.SelectMany(slot => slot.Waiters)];
            _waiters.Clear();
            foreach (var slot in _slots)
            {
                slot.Waiters.Clear();
            }

            return (waiting, [.. _slots.Select(s => s.Worker).OfType<TWorker>()]);
        }
    }

    public bool IsActive(int slotIndex)
    {
        lock (_lock)
        {
            return _slots[slotIndex].Active;
        }
    }

    public TWorker? LiveWorker(int slotIndex)
    {
        lock (_lock)
        {
            return _slots[slotIndex].Worker is { } worker && !_hasExited(worker) ? worker : null;
        }
    }

    public List<TWorker> LiveWorkers()
    {
        lock (_lock)
        {
            return [.. _slots.Select(s => s.Worker).OfType<TWorker>().Where(w => !_hasExited(w))];
        }
    }

    /// <summary>True when no slot has a live worker; then also the last start error of any slot, if one failed to start.</summary>
    public bool HasNoLiveWorker(out string? startError)
    {
        lock (_lock)
        {
            startError = null;
            if (_slots.Any(s => s.Worker is { } worker && !_hasExited(worker)))
            {
                return false;
            }

            startError = _slots.Where(s => s.Active).Select(s => s.LastStartError).FirstOrDefault(e => e is not null);
            return true;
        }
    }

    public SlotView<TWorker> View(int slotIndex)
    {
        lock (_lock)
        {
            return ViewOf(_slots[slotIndex]);
        }
    }

    /// <summary>Every slot and the general queue's length, at one moment.</summary>
    public (SlotView<TWorker>[] Slots, int Queued) ViewAll()
    {
        lock (_lock)
        {
            // Parked slots (an elastic pool's beyond its current size) are not part of the pool; retiring ones still are.
            return ([.. _slots.Where(s => s.Active || s.Worker is not null).Select(ViewOf)], _waiters.Count);
        }
    }

    public int QueuedCount()
    {
        lock (_lock)
        {
            return _waiters.Count;
        }
    }

    private SlotView<TWorker> ViewOf(WorkerSlot<TWorker> slot) =>
        new(slot.WorkerId, slot.Worker, StateOf(slot), slot.InFlight, slot.Served, slot.Incarnation);

    private string StateOf(WorkerSlot<TWorker> slot) => slot.Worker switch
    {
        null when !slot.Active => "parked",
        null => "starting",
        _ when !slot.Active => "retiring",
        { } worker when _hasExited(worker) => "dead",
        _ when slot.Recycling => "recycling",
        _ when slot.InFlight > 0 => "busy",
        _ => "idle",
    };
}

using DSPex.Orleans.Workers.Scaling;

namespace DSPex.Orleans.Workers.Scheduling;

/// <summary>
/// An elastic pool's size: what the scaler observes, retiring an idle slot (it takes no new work from that moment,
/// under the same lock that grants) and activating a parked one. A fixed pool has every slot active for good.
/// </summary>
internal sealed partial class CapacityScheduler<TWorker>
{
    /// <summary>Slots that count toward the pool's current size (live, starting or restarting).</summary>
    public int ActiveCount
    {
        get
        {
            lock (_lock)
            {
                return _slots.Count(s => s.Active);
            }
        }
    }

    /// <summary>The pool as the scaler sees it now.</summary>
    public ScaleObservation Observe()
    {
        lock (_lock)
        {
            int active = 0, starting = 0, live = 0, full = 0;
            List<IdleSlot> idle = [];
            foreach (var slot in _slots)
            {
                if (!slot.Active)
                {
                    continue;
                }

                active++;
                if (slot.Worker is not { } worker || _hasExited(worker))
                {
                    starting++;
                    continue;
                }

                live++;
                if (slot.Recycling || slot.WorkerInFlight >= Concurrency)
                {
                    full++;
                }
                else if (slot.InFlight == 0 && slot.Waiters.Count == 0)
                {
                    idle.Add(new IdleSlot(slot.Index, slot.IdleSinceMs));
                }
            }

            long? oldest = _waiters.First is { } first ? first.Value.QueuedAtMs : null;
            return new ScaleObservation(active, starting, live > 0 && full == live, _waiters.Count, oldest, idle);
        }
    }

    /// <summary>
    /// Takes an idle slot out of the pool: from now on it is never granted, and its worker is returned for its owner to
    /// stop. Null (nothing changes) when the slot is no longer idle: a request took it since it was observed, a request
    /// waits for its worker in particular, its worker died, recycles, or the pool stops.
    /// </summary>
    public TWorker? Retire(int slotIndex)
    {
        lock (_lock)
        {
            var slot = _slots[slotIndex];
            if (_stopping || !slot.Active || slot.Worker is not { } worker || _hasExited(worker) || slot.Recycling
                || slot.InFlight > 0 || slot.Waiters.Count > 0)
            {
                return null;
            }

            slot.Active = false;
            return worker;
        }
    }

    /// <summary>
    /// Puts up to <paramref name="count"/> parked slots back into the pool (lowest index first) and returns them, for
    /// their owners to start. A retired slot whose worker has not exited yet is not taken until it has.
    /// </summary>
    public List<int> Activate(int count)
    {
        List<int> activated = [];
        lock (_lock)
        {
            foreach (var slot in _slots)
            {
                if (activated.Count == count || _stopping || _draining)
                {
                    break;
                }

                if (!slot.Active && slot.Worker is null)
                {
                    slot.Active = true;
                    slot.ConsecutiveFailures = 0;
                    slot.LastStartError = null;
                    activated.Add(slot.Index);
                }
            }
        }

        return activated;
    }

    /// <summary>
    /// For a pool that starts on demand (minimum 0): when no slot is active, puts the first parked one back and returns
    /// it for its owner to start; null when some slot is active already (live, starting or retiring), so concurrent
    /// first calls start one worker, not one each. The health loop's scaler grows past it if the queue needs more.
    /// </summary>
    public int? ActivateFirst()
    {
        lock (_lock)
        {
            if (_stopping || _draining || _slots.Any(s => s.Active))
            {
                return null;
            }

            // A retired slot whose worker has not exited yet is skipped, as in Activate.
            var slot = _slots.FirstOrDefault(s => s.Worker is null);
            if (slot is null)
            {
                return null;
            }

            slot.Active = true;
            slot.ConsecutiveFailures = 0;
            slot.LastStartError = null;
            return slot.Index;
        }
    }

    /// <summary>The requests waiting in the general queue now (for a pool that starts on demand to fail when its start failed).</summary>
    public List<QueuedWaiter> GeneralWaiters()
    {
        lock (_lock)
        {
            return [.. _waiters];
        }
    }

    /// <summary>
    /// Parks an active slot that has no worker (its on-demand start failed), so the next call to a pool that starts on
    /// demand tries a fresh start instead of waiting on a slot nobody restarts. False when it has a worker or is parked.
    /// </summary>
    public bool Park(int slotIndex)
    {
        lock (_lock)
        {
            var slot = _slots[slotIndex];
            if (!slot.Active || slot.Worker is not null)
            {
                return false;
            }

            slot.Active = false;
            return true;
        }
    }
}

using DSPex.Orleans.Contracts;
using DSPex.Orleans.Processes;

namespace DSPex.Orleans.Pool;

/// <summary>Capacity: taking a worker, queueing for one, and handing freed capacity to the next request.</summary>
public sealed partial class LocalWorkerPool
{
    /// <summary>
    /// Takes one unit of a worker's capacity, queueing for it when none is free; a failure says why not. A queued
    /// <paramref name="request"/> may come back already sent to its worker (see <see cref="Deliver"/>).
    /// </summary>
    private async ValueTask<(CapacityGrant? Grant, ExecuteResponse? Failure)> AcquireAsync(ExecuteRequest? request, WorkerAffinity? affinity, CancellationToken cancellationToken)
    {
        WorkerLease lease;
        CapacityWaiter? waiter = null;
        var waitLimit = _options.QueueTimeout;
        lock (_lock)
        {
            if (_stopping || _draining)
            {
                return (null, ExecuteResponse.Failure(DSPexErrorKind.SiloUnavailable, $"silo {Silo} is {(_draining ? "draining" : "stopping")}"));
            }

            var preferred = affinity is null ? null : PreferredSlot(affinity);
            if (affinity is not null && preferred is null && affinity.Mode == AffinityMode.StrictFailFast)
            {
                return (null, ExecuteResponse.Failure(DSPexErrorKind.SessionWorkerUnavailable,
                    $"the session's worker {affinity.WorkerId} (pid {affinity.Pid}) is gone"));
            }

            if (preferred is not null)
            {
                if (!TryTakeFreeFrom(preferred, out lease))
                {
                    if (affinity!.Mode == AffinityMode.StrictFailFast)
                    {
                        return (null, ExecuteResponse.Failure(DSPexErrorKind.WorkerBusy,
                            $"the session's worker {preferred.WorkerId} (pid {affinity.Pid}) is busy", preferred.WorkerId, affinity.Pid));
                    }

                    if (preferred.Waiters.Count >= _options.MaxQueueLength)
                    {
                        return (null, Saturated());
                    }

                    waiter = new CapacityWaiter(request);
                    waiter.Node = preferred.Waiters.AddLast(waiter);
                    waitLimit = affinity.Mode == AffinityMode.Hint ? _options.AffinityHintWait : _options.QueueTimeout;
                }
            }
            else if (!TryTakeFree(out lease))
            {
                if (_waiters.Count >= _options.MaxQueueLength)
                {
                    return (null, Saturated());
                }

                waiter = new CapacityWaiter(request);
                waiter.Node = _waiters.AddLast(waiter);
            }
        }

        if (waiter is null)
        {
            return (new CapacityGrant(lease), null);
        }

        var queued = await WaitForCapacityAsync(waiter, waitLimit, cancellationToken);
        if (queued.Grant is not null)
        {
            return queued;
        }

        // A hint gives up on its worker after a short wait, and any mode moves on once that worker died:
        // the request runs anywhere and the program is rebuilt there from its spec.
        var moveOn = waiter.WorkerGone
            || (affinity?.Mode == AffinityMode.Hint && queued.Failure!.Error!.Kind == DSPexErrorKind.QueueTimeout);
        return moveOn ? await AcquireAsync(request, null, cancellationToken) : queued;
    }

    private ExecuteResponse Saturated()
    {
        Interlocked.Increment(ref _saturated);
        return ExecuteResponse.Failure(
            DSPexErrorKind.PoolSaturated,
            $"pool on {Silo} is saturated: {_slots.Length} workers busy and {_waiters.Count} requests queued (limit {_options.MaxQueueLength})");
    }

    private WorkerSlot? PreferredSlot(WorkerAffinity affinity)
    {
        foreach (var slot in _slots)
        {
            if (slot.WorkerId == affinity.WorkerId)
            {
                return slot.Process is { HasExited: false } process && process.Pid == affinity.Pid ? slot : null;
            }
        }

        return null;
    }

    private async ValueTask<(CapacityGrant? Grant, ExecuteResponse? Failure)> WaitForCapacityAsync(
        CapacityWaiter waiter, TimeSpan waitLimit, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(waitLimit);
        await using (timeout.Token.UnsafeRegister(static state => ((CapacityWaiter)state!).Abandon(), waiter))
        {
            var grant = await waiter.Completion.Task;
            if (grant is not null)
            {
                return (grant, null);
            }
        }

        lock (_lock)
        {
            waiter.Node?.List?.Remove(waiter.Node);
        }

        if (_stopping)
        {
            return (null, ExecuteResponse.Failure(DSPexErrorKind.SiloUnavailable, $"silo {Silo} stopped while the request was queued"));
        }

        if (waiter.WorkerGone)
        {
            return (null, ExecuteResponse.Failure(DSPexErrorKind.SessionWorkerUnavailable, "the session's worker died while the request waited for it"));
        }

        if (cancellationToken.IsCancellationRequested)
        {
            return (null, ExecuteResponse.Failure(DSPexErrorKind.Cancelled, "cancelled by the caller while queued for a worker"));
        }

        Interlocked.Increment(ref _queueTimeouts);
        return (null, NoWorkerFailure() ?? ExecuteResponse.Failure(
            DSPexErrorKind.QueueTimeout,
            $"no worker on {Silo} became free within the queue timeout of {waitLimit.TotalMilliseconds:0} ms"));
    }

    /// <summary>
    /// Why a queued request found no worker when the pool has no live one at all: its workers fail to start
    /// (WorkerStartFailed, with the last start error) or are all down for now (NoWorkers); null when some live.
    /// </summary>
    private ExecuteResponse? NoWorkerFailure()
    {
        string? startError;
        lock (_lock)
        {
            if (_slots.Any(s => s.Process is { HasExited: false }))
            {
                return null;
            }

            startError = _slots.Select(s => s.LastStartError).FirstOrDefault(e => e is not null);
        }

        return startError is not null
            ? ExecuteResponse.Failure(DSPexErrorKind.WorkerStartFailed, $"the workers of the pool on {Silo} fail to start: {startError}")
            : ExecuteResponse.Failure(DSPexErrorKind.NoWorkers, $"the pool on {Silo} has no live worker ({_slots.Length} restarting)");
    }

    /// <summary>
    /// Frees a lease once its call is over; only its <see cref="CallLease"/> calls it, exactly once. It runs on the
    /// worker's reader thread as the reply arrives (or on the thread that sees the process exit), so a queued
    /// request reaches the freed worker without waiting for the finished caller's continuation to be scheduled.
    /// </summary>
    internal void Release(WorkerLease lease, BridgeReply reply)
    {
        var (slot, process) = lease;
        Interlocked.Increment(ref slot.Served);
        Interlocked.Increment(ref reply.Error is null ? ref _served : ref _errors);
        var recycleNow = false;
        CapacityWaiter? next = null;
        lock (_lock)
        {
            slot.InFlight--;
            slot.ServedByProcess++;
            if (reply.Error is null)
            {
                slot.ConsecutiveFailures = 0;
            }

            if (ReferenceEquals(slot.Process, process) && !process.HasExited && !_stopping)
            {
                if (slot.RecycleAtRequest > 0 && slot.ServedByProcess >= slot.RecycleAtRequest)
                {
                    slot.Recycling = true;
                }

                if (slot.Recycling)
                {
                    recycleNow = slot.InFlight == 0;
                }
                else
                {
                    next = GiveCapacity(lease);
                }
            }
        }

        if (next is not null)
        {
            Deliver(next, lease);
        }

        if (recycleNow)
        {
            _ = RecycleAsync(slot, process);
        }

        if (_draining && IsIdle())
        {
            _drained.TrySetResult();
        }
    }

    private bool IsIdle()
    {
        lock (_lock)
        {
            return _waiters.Count == 0 && _slots.All(s => s.InFlight == 0 && s.Waiters.Count == 0);
        }
    }

    // Both below run under _lock.
    private bool TryTakeFree(out WorkerLease lease)
    {
        while (_free.TryDequeue(out lease))
        {
            if (ReferenceEquals(lease.Slot.Process, lease.Process) && !lease.Process.HasExited && !lease.Slot.Recycling)
            {
                lease.Slot.InFlight++;
                return true;
            }
        }

        return false;
    }

    private bool TryTakeFreeFrom(WorkerSlot slot, out WorkerLease lease)
    {
        lease = default;
        var found = false;
        for (var remaining = _free.Count; remaining > 0; remaining--)
        {
            var candidate = _free.Dequeue();
            if (!ReferenceEquals(candidate.Slot.Process, candidate.Process) || candidate.Process.HasExited || candidate.Slot.Recycling)
            {
                continue;
            }

            if (!found && ReferenceEquals(candidate.Slot, slot))
            {
                lease = candidate;
                found = true;
                slot.InFlight++;
                continue;
            }

            _free.Enqueue(candidate);
        }

        return found;
    }

    /// <summary>
    /// Freed capacity goes first to requests waiting for this very worker, then to the general queue. Runs under
    /// _lock; a waiter it returns is claimed, and the caller completes it with <see cref="Deliver"/> outside the lock.
    /// </summary>
    private CapacityWaiter? GiveCapacity(WorkerLease lease)
    {
        if ((Claim(lease.Slot.Waiters) ?? Claim(_waiters)) is { } waiter)
        {
            lease.Slot.InFlight++;
            return waiter;
        }

        _free.Enqueue(lease);
        return null;
    }

    private static CapacityWaiter? Claim(LinkedList<CapacityWaiter> waiters)
    {
        while (waiters.First is { } first)
        {
            waiters.RemoveFirst();
            if (first.Value.TryClaim())
            {
                return first.Value;
            }
        }

        return null;
    }

    /// <summary>
    /// Completes a claimed waiter. Its call is written to the worker here, by the thread that freed it (usually the
    /// worker's reader thread), so Python gets its next request at once instead of idling through the waiter's
    /// thread-pool and grain-scheduler hops. Only with one request per worker: the reader thread then has no other
    /// reply of that worker to read, so it cannot block on a full pipe while Python blocks writing to it.
    /// </summary>
    private void Deliver(CapacityWaiter waiter, WorkerLease lease)
    {
        var sent = waiter.Request is { } request && _options.ConcurrencyPerWorker <= 1 ? Send(lease, request) : (SentCall?)null;
        waiter.Grant(new CapacityGrant(lease, sent));
    }
}

using DSPex.Orleans.Contracts;
using DSPex.Orleans.Workers.Bridge;
using DSPex.Orleans.Workers.Python;
using DSPex.Orleans.Workers.Scheduling;
using DSPex.Orleans.Workers.Timing;
using WorkerLease = DSPex.Orleans.Workers.Scheduling.WorkerLease<DSPex.Orleans.Workers.Python.PythonProcess>;

namespace DSPex.Orleans.Pool;

/// <summary>Capacity: taking a worker, queueing for one, and handing freed capacity to the next request.</summary>
internal sealed partial class LocalWorkerPool
{
    /// <summary>
    /// Takes one unit of a worker's capacity, queueing for it when none is free; a failure says why not. A queued
    /// <paramref name="request"/> may come back already sent to its worker (see <see cref="Deliver"/>).
    /// </summary>
    private async ValueTask<CapacityOutcome> AcquireAsync(ExecuteRequest? request, WorkerAffinity? affinity, CancellationToken cancellationToken)
    {
        var (preferredSlot, preferredProcess) = affinity is null ? (null, null) : PreferredWorker(affinity);
        if (affinity is not null && preferredProcess is null && affinity.Mode == AffinityMode.StrictFailFast)
        {
            return SessionWorkerGone(affinity);
        }

        var waitLimit = preferredProcess is not null && affinity!.Mode == AffinityMode.Hint ? _options.AffinityHintWait : _options.QueueTimeout;
        var acquired = _scheduler.Acquire(
            preferredProcess is null ? null : preferredSlot, preferredProcess, affinity?.Mode != AffinityMode.StrictFailFast,
            (request, waitLimit), static state => new CapacityWaiter(state.request) { GiveUpAt = DeadlineTimer.DeadlineIn(state.waitLimit) },
            // Sent ahead to a busy worker: only a call that may run anywhere (no session, program or stream).
            mayGoAhead: affinity is null && request is { Session: null, Program: null });
        switch (acquired.Status)
        {
            case AcquireStatus.Granted:
                return new CapacityGrant(acquired.Lease);
            case AcquireStatus.Closed:
                return ExecuteResponse.Failure(DSPexErrorKind.SiloUnavailable, $"silo {Silo} is {(_draining ? "draining" : "stopping")}");
            case AcquireStatus.Saturated:
                return Saturated(acquired.Queued);
            case AcquireStatus.NoWorkerCanStart:
                // Its workers fail to start and none is starting: the caller learns why now, not at its queue timeout.
                return WorkersFailToStart(acquired.StartError!);
            case AcquireStatus.PreferredBusy:
                return ExecuteResponse.Failure(DSPexErrorKind.WorkerBusy,
                    $"the session's worker {affinity!.WorkerId} (pid {affinity.Pid}) is busy", affinity.WorkerId, affinity.Pid);
            case AcquireStatus.PreferredGone:
                // It died between the look-up and the claim: as if it had been gone at the look-up.
                return affinity!.Mode == AffinityMode.StrictFailFast
                    ? SessionWorkerGone(affinity)
                    : await AcquireAsync(request, null, cancellationToken);
        }

        var waiter = (CapacityWaiter)acquired.Waiter!;
        if (preferredSlot is null)
        {
            StartOnDemand(); // a pool of minimum 0 with no worker: the first queued call starts one now
        }

        var queued = await WaitForCapacityAsync(waiter, waitLimit, cancellationToken);
        if (queued.IsGranted)
        {
            return queued;
        }

        // A hint gives up on its worker after a short wait, and any mode moves on once that worker died:
        // the request runs anywhere and the program is rebuilt there from its spec.
        var moveOn = waiter.WorkerGone
            || (affinity?.Mode == AffinityMode.Hint && queued.Failure.Error?.Kind == DSPexErrorKind.QueueTimeout);
        return moveOn ? await AcquireAsync(request, null, cancellationToken) : queued;
    }

    private static ExecuteResponse SessionWorkerGone(WorkerAffinity affinity) =>
        ExecuteResponse.Failure(DSPexErrorKind.SessionWorkerUnavailable, $"the session's worker {affinity.WorkerId} (pid {affinity.Pid}) is gone");

    private ExecuteResponse Saturated(int queued)
    {
        _counters.Saturated();
        return ExecuteResponse.Failure(
            DSPexErrorKind.PoolSaturated,
            $"pool {Name} on {Silo} is saturated: {_scheduler.ActiveCount} workers busy and {queued} requests queued (limit {_options.MaxQueueLength})");
    }

    private ExecuteResponse WorkersFailToStart(string startError) =>
        ExecuteResponse.Failure(DSPexErrorKind.WorkerStartFailed, $"the workers of pool {Name} on {Silo} fail to start: {startError}");

    /// <summary>The session's worker, when its slot still holds the very process (pid) that holds the session's programs.</summary>
    private (int? Slot, PythonProcess? Process) PreferredWorker(WorkerAffinity affinity) =>
        SlotOf(affinity.WorkerId) is { } slot && _scheduler.LiveWorker(slot) is { } process && process.Pid == affinity.Pid
            ? (slot, process)
            : (null, null);

    private async ValueTask<CapacityOutcome> WaitForCapacityAsync(
        CapacityWaiter waiter, TimeSpan waitLimit, CancellationToken cancellationToken)
    {
        // The queue timeout is the scheduler's one timer (waiter.GiveUpAt); the caller's token needs a registration
        // only when it can cancel.
        var registration = cancellationToken.CanBeCanceled
            ? cancellationToken.UnsafeRegister(static state => ((CapacityWaiter)state!).Abandon(), waiter)
            : default;
        CapacityGrant? grant;
        try
        {
            grant = await waiter.Completion.Task;
        }
        finally
        {
            registration.Unregister();
        }

        if (grant is not null)
        {
            return grant.Value;
        }

        _scheduler.Forget(waiter);
        if (_stopping)
        {
            return ExecuteResponse.Failure(DSPexErrorKind.SiloUnavailable, $"silo {Silo} stopped while the request was queued");
        }

        if (waiter.WorkerGone)
        {
            return ExecuteResponse.Failure(DSPexErrorKind.SessionWorkerUnavailable, "the session's worker died while the request waited for it");
        }

        if (cancellationToken.IsCancellationRequested)
        {
            return ExecuteResponse.Failure(DSPexErrorKind.Cancelled, "cancelled by the caller while queued for a worker");
        }

        if (waiter.StartError is { } startError)
        {
            // Failed while queued (the start it waited for failed and no worker can come): the same answer as one
            // refused on arrival, so a caller reads one message whichever side of the failure its call landed.
            return WorkersFailToStart(startError);
        }

        _counters.QueueTimedOut();
        return NoWorkerFailure() ?? ExecuteResponse.Failure(
            DSPexErrorKind.QueueTimeout,
            $"no worker on {Silo} became free within the queue timeout of {waitLimit.TotalMilliseconds:0} ms");
    }

    /// <summary>
    /// Why a queued request found no worker when the pool has no live one at all: its workers fail to start
    /// (WorkerStartFailed, with the last start error) or are all down for now (NoWorkers); null when some live.
    /// </summary>
    private ExecuteResponse? NoWorkerFailure()
    {
        if (!_scheduler.HasNoLiveWorker(out var startError))
        {
            return null;
        }

        return startError is not null
            ? WorkersFailToStart(startError)
            : ExecuteResponse.Failure(DSPexErrorKind.NoWorkers, $"pool {Name} on {Silo} has no live worker ({_scheduler.ActiveCount} restarting)");
    }

    /// <summary>
    /// Frees a lease once its call is over; only its <see cref="CallLease"/> calls it, exactly once. It runs on the
    /// worker's reader thread as the reply arrives (or on the thread that sees the process exit), so a queued
    /// request reaches the freed worker without waiting for the finished caller's continuation to be scheduled.
    /// </summary>
    internal void Release(WorkerLease lease, BridgeReply reply)
    {
        _counters.Replied(reply.Error is null);
        var (next, recycleNow) = _scheduler.Release(lease, reply.Error is null);
        if (next is not null)
        {
            Deliver((CapacityWaiter)next, lease);
        }

        if (recycleNow)
        {
            Recycle(lease.Slot, lease.Worker);
        }

        if (_draining && _scheduler.IsIdle())
        {
            _drained.TrySetResult();
        }
    }

    /// <summary>
    /// Completes a claimed waiter, its call written to the worker here by the thread that freed it (usually the
    /// worker's reader thread), so Python gets its next request at once instead of idling through the waiter's
    /// thread-pool and scheduler hops. With any number of requests per worker: a send hands its frame to the worker's
    /// outbox, which never blocks (a full pipe queues it for the outbox's writer thread), so the reader thread cannot
    /// stall on a full pipe while Python blocks writing the worker's other replies to it.
    /// </summary>
    private void Deliver(CapacityWaiter waiter, WorkerLease lease)
    {
        var sent = waiter.Request is { } request ? Send(lease, request, waiter.Trace) : (SentCall?)null;
        waiter.Grant(new CapacityGrant(lease, sent));
    }
}

namespace DSPex.Orleans.Workers.Scheduling;

/// <summary>What asking for capacity gave.</summary>
internal enum AcquireStatus
{
    /// <summary>A lease, taken at once.</summary>
    Granted,

    /// <summary>None free: the request waits in a queue (the general one, or its preferred worker's).</summary>
    Queued,

    /// <summary>The pool drains or stops: no new work.</summary>
    Closed,

    /// <summary>The queue it would join is full.</summary>
    Saturated,

    /// <summary>The preferred worker has no free capacity and the request may not wait for it.</summary>
    PreferredBusy,

    /// <summary>The preferred worker is no longer the slot's live worker.</summary>
    PreferredGone,

    /// <summary>
    /// None free, and no worker can come: every active slot is down, its last start failed and no start is under way
    /// (the supervisors retry after their back-off). The request fails now with the start error instead of queueing.
    /// </summary>
    NoWorkerCanStart,
}

/// <summary>
/// The answer to one request for capacity; <see cref="Queued"/> is the length of the queue that refused or took it;
/// <see cref="SentAhead"/>: granted a place ahead on a busy worker (see CapacityScheduler.SendAhead); <see cref="StartError"/>:
/// why no worker can start (<see cref="AcquireStatus.NoWorkerCanStart"/>).
/// </summary>
internal readonly record struct Acquisition<TWorker>(
    AcquireStatus Status, WorkerLease<TWorker> Lease = default, QueuedWaiter? Waiter = null, int Queued = 0, bool SentAhead = false, string? StartError = null)
    where TWorker : class;

/// <summary>What freeing a lease decided: a claimed waiter to hand it to, and whether its worker is now due to be recycled.</summary>
internal readonly record struct Release(QueuedWaiter? Next, bool RecycleNow);

using DSPex.Orleans.Workers.Scheduling;

namespace DSPex.Orleans.Workers.Supervision;

/// <summary>
/// What a supervisor tells its pool. The supervisor decides a worker's life; the pool dispatches (it hands the
/// capacity of a joining worker to queued requests) and counts. Called outside the scheduler's lock; a call must not
/// block (some come on a worker's reader thread).
/// </summary>
internal interface ISlotListener<TWorker>
    where TWorker : class
{
    /// <summary>A started worker is about to offer its capacity (the process registry and the metrics learn it first).</summary>
    void Joining(TWorker worker);

    /// <summary>A queued request claimed a unit of the joining worker: the pool completes it with its lease.</summary>
    void Granted(QueuedWaiter waiter, WorkerLease<TWorker> lease);

    /// <summary>A start failed; <paramref name="error"/> is its first line.</summary>
    void StartFailed(string error);

    /// <summary>A worker crashed and will be restarted.</summary>
    void Restarting();

    /// <summary>A worker is being replaced by a fresh one (requests, age or memory).</summary>
    void Recycling();

    /// <summary>A worker that stopped answering heartbeats was killed.</summary>
    void HungKilled();
}

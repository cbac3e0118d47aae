using DSPex.Orleans.Processes;
using WorkerLease = DSPex.Orleans.Pool.Scheduling.WorkerLease<DSPex.Orleans.Processes.PythonProcess>;

namespace DSPex.Orleans.Pool;

/// <summary>
/// The one owner of a lease from the moment its call is written: the call's reply (on the worker's reader thread),
/// the process exit, or a write that failed frees it. Whichever comes first frees it; any later one does nothing,
/// so a lease is returned exactly once on every path.
/// <para>
/// It is also the caller's waiter: its task completes with the reply on the thread that frees the lease, with
/// continuations run synchronously, so a grain awaiting it is scheduled straight from the reader thread onto its
/// activation (one hand-off) instead of through a thread-pool item first (the connection's own task runs its
/// continuations asynchronously, as it must for arbitrary awaiters). Only a grain's continuation (which its
/// scheduler queues, never inlines) may await it; see <see cref="LocalWorkerPool"/>'s AwaitReplyAsync.
/// A deadline or cancellation completes it early (the lease stays taken until Python answers).
/// </para>
/// </summary>
internal sealed class CallLease(LocalWorkerPool pool, WorkerLease lease) : TaskCompletionSource<BridgeReply>(TaskCreationOptions.None)
{
    private int _released;

    public WorkerLease Lease => lease;

    public void Release(BridgeReply reply)
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            pool.Release(lease, reply);
        }

        TrySetResult(reply);
    }
}

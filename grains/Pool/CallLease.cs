using DSPex.Orleans.Workers.Bridge;
using DSPex.Orleans.Workers.Python;
using WorkerLease = DSPex.Orleans.Workers.Scheduling.WorkerLease<DSPex.Orleans.Workers.Python.PythonProcess>;

namespace DSPex.Orleans.Pool;

/// <summary>
/// The one owner of a lease from the moment its call is written: the call's reply (on the worker's reader thread),
/// the process exit, or a write that failed frees it. Whichever comes first frees it; any later one does nothing,
/// so a lease is returned exactly once on every path.
/// </summary>
internal sealed class CallLease(LocalWorkerPool pool, WorkerLease lease)
{
    private int _released;

    public WorkerLease Lease => lease;

    public void Release(BridgeReply reply)
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            pool.Release(lease, reply);
        }
    }
}

using DSPex.Orleans.Workers.Bridge;
using DSPex.Orleans.Workers.Python;
using WorkerLease = DSPex.Orleans.Workers.Scheduling.WorkerLease<DSPex.Orleans.Workers.Python.PythonProcess>;

namespace DSPex.Orleans.Pool;

/// <summary>Capacity given to a request: the lease, and the call when the thread that freed the worker already sent it.</summary>
internal readonly record struct CapacityGrant(WorkerLease Lease, SentCall? Sent = null);

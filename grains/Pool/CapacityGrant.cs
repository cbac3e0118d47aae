using DSPex.Orleans.Processes;

namespace DSPex.Orleans.Pool;

/// <summary>Capacity given to a request: the lease, and the call when the thread that freed the worker already sent it.</summary>
internal readonly record struct CapacityGrant(WorkerLease Lease, SentCall? Sent = null);

/// <summary>
/// A call written to a worker's pipe, whose reply frees the lease; or, when <see cref="Sent"/> is false, one that
/// never reached the worker (the task holds why), so its lease is freed by whoever holds it.
/// </summary>
internal readonly record struct SentCall(Task<BridgeReply> Finished, long Id, bool Sent, long StartedAt);

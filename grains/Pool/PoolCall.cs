using DSPex.Orleans.Processes;

namespace DSPex.Orleans.Pool;

/// <summary>A call the pool wrote to a worker (or could not), and the lease that owns it (also the caller's waiter).</summary>
internal readonly record struct PoolCall(SentCall Call, CallLease Owner);

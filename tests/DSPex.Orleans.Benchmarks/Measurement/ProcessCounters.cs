namespace DSPex.Orleans.Benchmarks.Measurement;

/// <summary>
/// Cheap whole-process counters read before and after a cell: per call, they show allocations, thread-pool
/// hops and lock contention on the path without a profiler. They cover this process only (for the remote
/// cluster scenario that is the client side).
/// </summary>
public readonly record struct ProcessCounters(long AllocatedBytes, long ThreadPoolItems, long LockContentions)
{
    public static ProcessCounters Read() => new(
        GC.GetTotalAllocatedBytes(precise: true),
        ThreadPool.CompletedWorkItemCount,
        Monitor.LockContentionCount);

    public static ProcessCounters operator -(ProcessCounters after, ProcessCounters before) => new(
        after.AllocatedBytes - before.AllocatedBytes,
        after.ThreadPoolItems - before.ThreadPoolItems,
        after.LockContentions - before.LockContentions);
}

namespace DSPex.Orleans.Benchmarks.Measurement;

/// <summary>
/// Cheap whole-process counters read before and after a cell: per call, they show allocations, thread-pool
/// hops and lock contention on the path without a profiler. They cover this process only (for the remote
/// cluster scenario that is the client side).
/// </summary>
public readonly record struct ProcessCounters(
    long AllocatedBytes, long ThreadPoolItems, long LockContentions, double BenchCpuSeconds, double SiloCpuSeconds, double PythonCpuSeconds)
{
    public static readonly ProcessCounters Zero = new(0, 0, 0, 0, 0, 0);

    /// <summary>This process's counters, and the CPU time of the silo process and the Python workers, if any.</summary>
    public static ProcessCounters Read(int? siloPid, IReadOnlyList<int> workerPids) => new(
        GC.GetTotalAllocatedBytes(precise: true),
        ThreadPool.CompletedWorkItemCount,
        Monitor.LockContentionCount,
        CpuTime.Seconds(Environment.ProcessId),
        siloPid is { } pid ? CpuTime.Seconds(pid) : 0,
        CpuTime.Seconds(workerPids));

    public static ProcessCounters operator -(ProcessCounters after, ProcessCounters before) => new(
        after.AllocatedBytes - before.AllocatedBytes,
        after.ThreadPoolItems - before.ThreadPoolItems,
        after.LockContentions - before.LockContentions,
        after.BenchCpuSeconds - before.BenchCpuSeconds,
        after.SiloCpuSeconds - before.SiloCpuSeconds,
        after.PythonCpuSeconds - before.PythonCpuSeconds);

    public static ProcessCounters operator +(ProcessCounters a, ProcessCounters b) => new(
        a.AllocatedBytes + b.AllocatedBytes,
        a.ThreadPoolItems + b.ThreadPoolItems,
        a.LockContentions + b.LockContentions,
        a.BenchCpuSeconds + b.BenchCpuSeconds,
        a.SiloCpuSeconds + b.SiloCpuSeconds,
        a.PythonCpuSeconds + b.PythonCpuSeconds);
}

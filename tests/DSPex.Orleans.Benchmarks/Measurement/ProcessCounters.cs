namespace DSPex.Orleans.Benchmarks.Measurement;

/// <summary>
/// Cheap whole-process counters read before and after a cell: per call, they show allocations, thread-pool
/// hops and lock contention on the path without a profiler (this process only: for the remote cluster scenarios,
/// the client side), and CPU time and context switches of this process, the silo process and the Python workers.
/// </summary>
public readonly record struct ProcessCounters(
    long AllocatedBytes,
    long ThreadPoolItems,
    long LockContentions,
    double BenchCpuSeconds,
    double SiloCpuSeconds,
    double PythonCpuSeconds,
    ContextSwitches.Counts BenchSwitches = default,
    ContextSwitches.Counts SiloSwitches = default,
    ContextSwitches.Counts PythonSwitches = default,
    ThreadSwitches? Threads = null)
{
    public static readonly ProcessCounters Zero = new(0, 0, 0, 0, 0, 0);

    /// <summary>This process's counters, and the CPU time and context switches of the silo process and the Python workers, if any.</summary>
    public static ProcessCounters Read(int? siloPid, IReadOnlyList<int> workerPids) => new(
        GC.GetTotalAllocatedBytes(precise: true),
        ThreadPool.CompletedWorkItemCount,
        Monitor.LockContentionCount,
        CpuTime.Seconds(Environment.ProcessId),
        siloPid is { } pid ? CpuTime.Seconds(pid) : 0,
        CpuTime.Seconds(workerPids),
        default,
        default,
        default,
        new ThreadSwitches(
            ContextSwitches.Snapshot([Environment.ProcessId]),
            siloPid is { } silo ? ContextSwitches.Snapshot([silo]) : [],
            ContextSwitches.Snapshot(workerPids)));

    public static ProcessCounters operator -(ProcessCounters after, ProcessCounters before) => new(
        after.AllocatedBytes - before.AllocatedBytes,
        after.ThreadPoolItems - before.ThreadPoolItems,
        after.LockContentions - before.LockContentions,
        after.BenchCpuSeconds - before.BenchCpuSeconds,
        after.SiloCpuSeconds - before.SiloCpuSeconds,
        after.PythonCpuSeconds - before.PythonCpuSeconds,
        ContextSwitches.Between(before.Threads!.Bench, after.Threads!.Bench),
        ContextSwitches.Between(before.Threads.Silo, after.Threads.Silo),
        ContextSwitches.Between(before.Threads.Python, after.Threads.Python));

    public static ProcessCounters operator +(ProcessCounters a, ProcessCounters b) => new(
        a.AllocatedBytes + b.AllocatedBytes,
        a.ThreadPoolItems + b.ThreadPoolItems,
        a.LockContentions + b.LockContentions,
        a.BenchCpuSeconds + b.BenchCpuSeconds,
        a.SiloCpuSeconds + b.SiloCpuSeconds,
        a.PythonCpuSeconds + b.PythonCpuSeconds,
        a.BenchSwitches + b.BenchSwitches,
        a.SiloSwitches + b.SiloSwitches,
        a.PythonSwitches + b.PythonSwitches);
}

/// <summary>Per-thread context-switch counts of a sample (see <see cref="ContextSwitches"/>); only samples carry them, differences do not.</summary>
public sealed record ThreadSwitches(
    IReadOnlyDictionary<int, ContextSwitches.Counts> Bench,
    IReadOnlyDictionary<int, ContextSwitches.Counts> Silo,
    IReadOnlyDictionary<int, ContextSwitches.Counts> Python);

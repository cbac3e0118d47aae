namespace DSPex.Orleans.Workers.ProcessSafety;

/// <summary>
/// The latest moment a dead worker can have spawned anything, from the two signals of its end: its pipe closing, and
/// its process gone, either first. Readings are clock ticks (<see cref="Native.LinuxProcess.UptimeTicks"/>).
/// The pipe-closed reading is taken on the reader thread before the slot's supervisor hears of the exit, so it comes
/// before the slot's next worker (same marker) starts. The process-gone reading runs on the thread pool and can come
/// late, after that next worker started and before the registry knows it: bounded only by itself, it would judge the
/// starting worker a fork of the dead one and kill it. So it is bounded by the pipe-closed reading once there is one.
/// </summary>
internal sealed class WorkerEndBound(Func<ulong> clock)
{
    // 0 until the pipe closed: the uptime clock never reads 0 on a running machine.
    private ulong _pipeClosedAt;

    /// <summary>Reads the clock when the worker's pipe closed (on the reader thread, before the supervisor's handler).</summary>
    public ulong PipeClosed()
    {
        var now = clock();
        Volatile.Write(ref _pipeClosedAt, now);
        return now;
    }

    /// <summary>Reads the clock when the worker's process is gone: no later than when its pipe closed, if it has.</summary>
    public ulong ProcessGone()
    {
        // The clock first: a reading taken after the next worker started is after the pipe-closed reading was stored.
        var now = clock();
        var pipeClosedAt = Volatile.Read(ref _pipeClosedAt);
        return pipeClosedAt != 0 && pipeClosedAt < now ? pipeClosedAt : now;
    }
}

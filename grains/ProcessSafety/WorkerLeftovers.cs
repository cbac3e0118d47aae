using DSPex.Orleans.Pool;
using DSPex.Orleans.Workers.Python;
using DSPex.Orleans.Workers.Native;
using DSPex.Orleans.Workers.ProcessSafety;
using Microsoft.Extensions.Logging;

namespace DSPex.Orleans.ProcessSafety;

/// <summary>
/// When a worker of this silo ends, ends what its code spawned that escaped its process group with setsid(): with
/// this silo a child subreaper, such a process is re-parented here when its parent dies, and carries the worker's
/// exact marker in its environment (see <see cref="SweepRules.LeftBehindBy"/>). Killing one re-parents its own
/// children here too, so it looks again until nothing is left.
/// </summary>
internal sealed class WorkerLeftovers
{
    private readonly ILogger<WorkerLeftovers> _logger;
    private readonly ProcessRegistry _registry;

    public WorkerLeftovers(SiloPools pool, ProcessRegistry registry, ILogger<WorkerLeftovers> logger)
    {
        _logger = logger;
        _registry = registry;
        pool.ProcessAttached += Watch;
    }

    private void Watch(PythonProcess worker)
    {
        // Read now, while it lives: its start time bounds what it can have spawned.
        if (LinuxProcess.Read(worker.Pid) is not { } process)
        {
            return;
        }

        var startTime = process.StartTime;
        var endBound = new WorkerEndBound(LinuxProcess.UptimeTicks);
        worker.ExitedEvent += ended =>
        {
            // Taken before the pool (a later handler) starts the slot's next worker, which has the same marker.
            var endedBy = endBound.PipeClosed();
            _ = Task.Run(() => EndLeftovers(ended, startTime, endedBy));
        };
        // The process gone while its pipe may still be open (the pool starts no next worker for the slot before the
        // pipe closes), or after it closed, when this continuation may run after the next worker started.
        _ = worker.ProcessEnded.ContinueWith(_ => EndLeftovers(worker, startTime, endBound.ProcessGone()), TaskScheduler.Default);
    }

    private void EndLeftovers(PythonProcess worker, ulong startTime, ulong endedBy) =>
        LeftBehindProcesses.End(worker.Marker.ToString(), worker.WorkerId, startTime, endedBy, _logger,
            () => _registry.Records.Select(r => r.Pid).ToHashSet());
}

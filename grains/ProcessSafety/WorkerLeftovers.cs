using DSPex.Orleans.Pool;
using DSPex.Orleans.Processes;
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
    private const int MaxRounds = 10;
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
        worker.ExitedEvent += ended =>
        {
            // Taken before the pool (a later handler) starts the slot's next worker, which has the same marker.
            var endedBy = LinuxProcess.UptimeTicks();
            _ = Task.Run(() => EndLeftovers(ended, startTime, endedBy));
        };
        // The process gone while its pipe may still be open: the pool starts no next worker for the slot before the
        // pipe closes, so the time taken here bounds the leftovers as well.
        _ = worker.ProcessEnded.ContinueWith(_ => EndLeftovers(worker, startTime, LinuxProcess.UptimeTicks()), TaskScheduler.Default);
    }

    private void EndLeftovers(PythonProcess worker, ulong startTime, ulong endedBy) =>
        EndLeftBehind(worker.Marker.ToString(), worker.WorkerId, startTime, endedBy, _logger,
            () => _registry.Records.Select(r => r.Pid).ToHashSet());

    /// <summary>
    /// Ends this silo's children that carry <paramref name="marker"/> in their environment and started in the life of
    /// the process that set it (a worker, or a worker or interpreter probe whose start failed, killed by its pid).
    /// With <paramref name="liveBridges"/> (the registry's pids), a fork of the bridge that kept its command line is
    /// found too.
    /// </summary>
    internal static void EndLeftBehind(string marker, string owner, ulong startTime, ulong endedBy, ILogger logger,
        Func<IReadOnlySet<int>>? liveBridges = null)
    {
        if (!ChildSubreaper.IsEnabled)
        {
            return;
        }

        try
        {
            var ownPid = Environment.ProcessId;
            for (var round = 0; round < MaxRounds; round++)
            {
                var bridges = liveBridges?.Invoke();
                var left = SweepRules.LeftBehindBy(ProcessSnapshots.All(p => p.ParentPid == ownPid), ownPid, NativeFiles.EffectiveUserId,
                    marker, owner, startTime, endedBy, bridges);
                if (left.Count == 0)
                {
                    return;
                }

                foreach (var orphan in left)
                {
                    // Its owner is gone (killed): what it left goes the same way, without a grace period.
                    var result = OrphanTerminator.Terminate(orphan, TimeSpan.Zero);
                    logger.LeftoverEnded(orphan.Pid, owner, result.Outcome);
                }
            }
        }
        catch (Exception e)
        {
            // A later sweep looks for the same processes (this silo's children with a dead worker's marker).
            logger.LeftoversNotEnded(e, owner);
        }
    }
}

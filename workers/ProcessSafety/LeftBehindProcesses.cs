using DSPex.Orleans.Workers.Native;
using Microsoft.Extensions.Logging;

namespace DSPex.Orleans.Workers.ProcessSafety;

/// <summary>
/// Ends what a worker (or a worker or interpreter probe whose start failed) spawned and left behind when it ended.
/// In the worker core's process safety, below both its callers (the worker processes, and the grains' WorkerLeftovers
/// that watches the pools' workers), so neither depends on anything above it. The log events keep their ids.
/// </summary>
internal static partial class LeftBehindProcesses
{
    private const int MaxRounds = 10;

    /// <summary>
    /// Ends this silo's children that carry <paramref name="marker"/> in their environment and started in the life of
    /// the process that set it (a worker, or a worker or interpreter probe whose start failed, killed by its pid).
    /// With <paramref name="liveBridges"/> (the registry's pids), a fork of the bridge that kept its command line is
    /// found too.
    /// </summary>
    internal static void End(string marker, string owner, ulong startTime, ulong endedBy, ILogger logger,
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
                    LeftoverEnded(logger, orphan.Pid, owner, result.Outcome);
                }
            }
        }
        catch (Exception e)
        {
            // A later sweep looks for the same processes (this silo's children with a dead worker's marker).
            LeftoversNotEnded(logger, e, owner);
        }
    }

    [LoggerMessage(EventId = 1204, Level = LogLevel.Information,
        Message = "Ended pid {Pid}, which worker {WorkerId} spawned and left behind (it had left the worker's group): {Outcome}")]
    private static partial void LeftoverEnded(ILogger logger, int pid, string workerId, TerminationOutcome outcome);

    [LoggerMessage(EventId = 1205, Level = LogLevel.Warning, Message = "Could not end what worker {WorkerId} left behind")]
    private static partial void LeftoversNotEnded(ILogger logger, Exception exception, string workerId);
}

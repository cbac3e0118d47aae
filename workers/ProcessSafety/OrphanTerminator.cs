using DSPex.Orleans.Workers.Native;
using DSPex.Orleans.Workers.Processes;

namespace DSPex.Orleans.Workers.ProcessSafety;

/// <summary>
/// Ends one orphan and, when the sweep allowed it, its process group: re-checks that the pid still names the process
/// the sweep judged (start time, uid, marker; for a group, that it leads it: pgid == pid as /proc shows it), SIGTERM
/// (and SIGCONT, so a stopped process can act on it), a grace period, then SIGKILL. Where the kernel has pidfd, the
/// check happens after the pidfd is open, so the signals reach exactly the checked process.
/// </summary>
internal static class OrphanTerminator
{
    private static readonly TimeSpan KillWait = TimeSpan.FromSeconds(5);

    public static TerminationResult Terminate(Orphan orphan, TimeSpan gracePeriod)
    {
        var opened = Pidfd.TryOpen(orphan.Pid, out var pidfd);
        switch (opened)
        {
            case Pidfd.OpenResult.NoSuchProcess:
                return new(orphan, TerminationOutcome.AlreadyGone);
            case Pidfd.OpenResult.Failed:
                return new(orphan, TerminationOutcome.Failed, $"pidfd_open({orphan.Pid}) failed");
        }

        using (pidfd)
        {
            var current = LinuxProcess.Read(orphan.Pid);
            if (current is null || current.HasExited)
            {
                return new(orphan, TerminationOutcome.AlreadyGone);
            }

            var marker = orphan.MarkerInEnvironment ? LinuxProcess.ReadEnvironmentMarker(orphan.Pid) : current.MarkerText;
            if (current.StartTime != orphan.StartTime || marker != orphan.Marker || ProcessSnapshots.Owner(orphan.Pid) != NativeFiles.EffectiveUserId)
            {
                return new(orphan, TerminationOutcome.NoLongerOurs);
            }

            // Only a group this very process leads, by /proc (not by what anyone reported), goes with it.
            var group = orphan.SignalGroup && current.IsGroupLeader ? current.ProcessGroupId : 0;
            Signal(orphan.Pid, pidfd, group, NativeSignals.SIGTERM);
            Signal(orphan.Pid, pidfd, group, NativeSignals.SIGCONT);
            if (WaitUntilGone(orphan.Pid, pidfd, group, gracePeriod))
            {
                Reap(orphan, current);
                return new(orphan, TerminationOutcome.Graceful);
            }

            Signal(orphan.Pid, pidfd, group, NativeSignals.SIGKILL);
            if (WaitUntilGone(orphan.Pid, pidfd, group, KillWait))
            {
                Reap(orphan, current);
                return new(orphan, TerminationOutcome.Forced);
            }

            return new(orphan, TerminationOutcome.Failed, $"pid {orphan.Pid} (group {group}) still alive {KillWait.TotalSeconds:0} s after SIGKILL");
        }
    }

    /// <summary>An adopted child of this silo that was ended is reaped here: nothing else waits for it.</summary>
    private static void Reap(Orphan orphan, LinuxProcess current)
    {
        if (!orphan.Reap || current.ParentPid != Environment.ProcessId)
        {
            return;
        }

        // Its exit was seen (pidfd or /proc shows it gone or a zombie); the zombie may take a moment to be visible to waitpid.
        var deadline = Environment.TickCount64 + 2000;
        while (ChildSubreaper.TryReap(orphan.Pid) == ChildSubreaper.ReapResult.NotExitedYet && Environment.TickCount64 < deadline)
        {
            Thread.Sleep(10);
        }
    }

    private static void Signal(int pid, Pidfd? pidfd, int group, int signal)
    {
        // The group id cannot be handed to a new group while any member lives, and we only signal it while it has one.
        if (group > 1 && LinuxProcess.LiveGroupMembers(group).Count > 0)
        {
            NativeSignals.SendToGroup(group, signal);
        }

        if (pidfd is not null)
        {
            pidfd.Signal(signal);
        }
        else
        {
            // No pidfd on this kernel: the re-check just before is the guard against pid reuse.
            NativeSignals.SendToProcess(pid, signal);
        }
    }

    private static bool WaitUntilGone(int pid, Pidfd? pidfd, int group, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        if (pidfd is not null)
        {
            if (!pidfd.WaitForExit(timeout))
            {
                return false;
            }
        }

        // Group members other than the leader have no pidfd here: watch /proc for them.
        while (true)
        {
            var leaderGone = pidfd is not null || LinuxProcess.Read(pid) is not { HasExited: false };
            if (leaderGone && (group <= 1 || LinuxProcess.LiveGroupMembers(group).Count == 0))
            {
                return true;
            }

            if (DateTime.UtcNow >= deadline)
            {
                return false;
            }

            Thread.Sleep(20);
        }
    }
}

using DSPex.Orleans.Workers.Native;

namespace DSPex.Orleans.Workers.ProcessSafety;

/// <summary>Takes <see cref="ProcessSnapshot"/>s from /proc. Any process may vanish while it is read: it is then left out.</summary>
internal static class ProcessSnapshots
{
    /// <summary>Every process on the host; environments are read only where <paramref name="wantsEnvironment"/> says.</summary>
    public static List<ProcessSnapshot> All(Func<ProcessSnapshot, bool> wantsEnvironment) =>
        [.. LinuxProcess.AllPids().Select(pid => Read(pid, wantsEnvironment)).OfType<ProcessSnapshot>()];

    public static ProcessSnapshot? Read(int pid, Func<ProcessSnapshot, bool>? wantsEnvironment = null)
    {
        if (LinuxProcess.Read(pid) is not { } process || Owner(pid) is not { } uid)
        {
            return null;
        }

        var snapshot = new ProcessSnapshot(process.Pid, process.ParentPid, process.ProcessGroupId, process.SessionId, uid,
            process.StartTime, LinuxProcess.BootId, process.State, process.MarkerText);
        return wantsEnvironment?.Invoke(snapshot) == true
            ? snapshot with { EnvironmentMarker = LinuxProcess.ReadEnvironmentMarker(pid) }
            : snapshot;
    }

    /// <summary>The uid a process runs as (see <see cref="LinuxProcess.Owner"/>).</summary>
    public static uint? Owner(int pid) => LinuxProcess.Owner(pid);
}

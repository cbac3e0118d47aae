using System.Globalization;
using DSPex.Orleans.Workers.Processes;

namespace DSPex.Orleans.Workers.Native;

/// <summary>
/// One process as /proc shows it at one moment, and every other read of /proc the silo makes. Start time (stat field
/// 22, in clock ticks since boot) together with the boot id names a process uniquely on a host, where a pid alone may
/// have been reused. The parsing itself is in <see cref="ProcStat"/> and <see cref="ProcText"/>.
/// </summary>
internal sealed record LinuxProcess(int Pid, char State, int ParentPid, int ProcessGroupId, int SessionId, ulong StartTime, IReadOnlyList<string> Arguments)
{
    /// <summary>USER_HZ, the unit of /proc start times: 100 on every Linux ABI .NET runs on.</summary>
    public const int ClockTicksPerSecond = 100;

    /// <summary>Zombies (and dead entries) have exited; they only wait to be reaped.</summary>
    public bool HasExited => State is 'Z' or 'X';

    public bool IsGroupLeader => ProcessGroupId == Pid;

    public string? MarkerText => ArgumentAfter(ProcessMarker.Argument);

    public ProcessMarker? Marker => MarkerText is { } text && ProcessMarker.TryParse(text, out var marker) ? marker : null;

    private string? ArgumentAfter(string name)
    {
        for (var i = 0; i < Arguments.Count - 1; i++)
        {
            if (Arguments[i] == name)
            {
                return Arguments[i + 1];
            }
        }

        return null;
    }

    /// <summary>Null when the process does not exist (or vanished while being read).</summary>
    public static LinuxProcess? Read(int pid)
    {
        if (ReadStat(pid) is not { } stat || ReadText(pid, "cmdline") is not { } cmdline)
        {
            return null;
        }

        return new LinuxProcess(pid, stat.State, stat.ParentPid, stat.ProcessGroupId, stat.SessionId, stat.StartTime, ProcText.Arguments(cmdline));
    }

    /// <summary>True while the process exists and has not exited (a zombie counts as gone).</summary>
    public static bool IsRunning(int pid) => ReadStat(pid) is { HasExited: false };

    /// <summary>The process group a live process is in; null if it is gone or a zombie.</summary>
    public static int? ProcessGroupOf(int pid) => ReadStat(pid) is { HasExited: false } stat ? stat.ProcessGroupId : null;

    /// <summary>Resident memory of a process (/proc/PID/statm); 0 once it has gone.</summary>
    public static long ResidentBytes(int pid) =>
        ReadText(pid, "statm") is { } statm && ProcText.ResidentPages(statm) is { } pages ? pages * Environment.SystemPageSize : 0;

    /// <summary>The marker a process inherited in its environment (what a worker's code spawned carries it too).</summary>
    public static string? ReadEnvironmentMarker(int pid) =>
        ReadText(pid, "environ") is { } environ ? ProcText.EnvironmentValue(environ, ProcessMarker.EnvironmentVariable) : null;

    /// <summary>
    /// The pid namespace a process lives in (null if unreadable). Pids on a command line or in a registry file only
    /// mean something in the namespace they were written in.
    /// </summary>
    public static string? ReadPidNamespace(int pid)
    {
        try
        {
            return new FileInfo($"/proc/{Invariant(pid)}/ns/pid").LinkTarget;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public static string? OwnPidNamespace { get; } = ReadPidNamespace(Environment.ProcessId);

    /// <summary>The uid a process runs as: the owner of its /proc entry (root for a non-dumpable process, which is then not taken for ours).</summary>
    public static uint? Owner(int pid)
    {
        try
        {
            return NativeFiles.Status($"/proc/{Invariant(pid)}")?.OwnerUid;
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>Pids of every process on the host (a snapshot; any may be gone by the time it is read).</summary>
    public static IEnumerable<int> AllPids()
    {
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                yield return pid;
            }
        }
    }

    /// <summary>Pids of the live (not zombie) members of a process group.</summary>
    public static List<int> LiveGroupMembers(int processGroupId) =>
        [.. AllPids().Select(Read).OfType<LinuxProcess>().Where(p => p.ProcessGroupId == processGroupId && !p.HasExited).Select(p => p.Pid)];

    /// <summary>Identifies this boot of the host: start times are only comparable within one boot.</summary>
    public static string BootId { get; } = File.Exists("/proc/sys/kernel/random/boot_id")
        ? File.ReadAllText("/proc/sys/kernel/random/boot_id").Trim()
        : "unknown";

    /// <summary>Now, in the unit of start times: clock ticks since boot (/proc/uptime).</summary>
    public static ulong UptimeTicks() =>
        ProcText.UptimeSeconds(File.ReadAllText("/proc/uptime")) is { } seconds
            ? (ulong)(seconds * ClockTicksPerSecond)
            : throw new IOException("/proc/uptime is not an uptime line");

    private static ProcStat? ReadStat(int pid) => ReadText(pid, "stat") is { } stat ? ProcStat.Parse(stat) : null;

    private static string? ReadText(int pid, string file)
    {
        try
        {
            return File.ReadAllText($"/proc/{Invariant(pid)}/{file}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string Invariant(int pid) => pid.ToString(CultureInfo.InvariantCulture);
}

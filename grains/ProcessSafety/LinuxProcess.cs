using System.Globalization;
using DSPex.Orleans.Processes;

namespace DSPex.Orleans.ProcessSafety;

/// <summary>
/// One process as /proc shows it at one moment. Start time (stat field 22, in clock ticks since boot) together with
/// the boot id names a process uniquely on a host, where a pid alone may have been reused.
/// </summary>
public sealed record LinuxProcess(int Pid, char State, int ParentPid, int ProcessGroupId, int SessionId, ulong StartTime, IReadOnlyList<string> Arguments)
{
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
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // The command name in parentheses may itself hold ')' or spaces: the fields start after the last ')'.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var cmdline = File.ReadAllText($"/proc/{pid}/cmdline");
            var arguments = cmdline.Length == 0 ? [] : cmdline.TrimEnd('\0').Split('\0');
            return new LinuxProcess(
                pid,
                fields[0][0],
                int.Parse(fields[1], CultureInfo.InvariantCulture),
                int.Parse(fields[2], CultureInfo.InvariantCulture),
                int.Parse(fields[3], CultureInfo.InvariantCulture),
                ulong.Parse(fields[19], CultureInfo.InvariantCulture),
                arguments);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    /// <summary>The marker a process inherited in its environment (what a worker's code spawned carries it too).</summary>
    public static string? ReadEnvironmentMarker(int pid)
    {
        try
        {
            var prefix = ProcessMarker.EnvironmentVariable + "=";
            return File.ReadAllText($"/proc/{pid}/environ").Split('\0').FirstOrDefault(v => v.StartsWith(prefix, StringComparison.Ordinal))?[prefix.Length..];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// The pid namespace a process lives in (null if unreadable). Pids on a command line or in a registry file only
    /// mean something in the namespace they were written in.
    /// </summary>
    public static string? ReadPidNamespace(int pid)
    {
        try
        {
            return new FileInfo($"/proc/{pid}/ns/pid").LinkTarget;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public static string? OwnPidNamespace { get; } = ReadPidNamespace(Environment.ProcessId);

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
}

using System.Globalization;

namespace DSPex.Orleans.Workers.Native;

/// <summary>
/// The cgroup v2 hierarchy as files: where this process sits in it, what a cgroup holds, ending everything in one.
/// A cgroup is inherited by every process forked below its members, whatever they do after (setsid, exec, an empty
/// environment, fork without exec); only a process allowed to write another cgroup's cgroup.procs leaves it. That
/// makes a per-worker cgroup the proof that a process descends from that worker (see ProcessSafety.WorkerCgroups).
/// </summary>
internal static class Cgroup2
{
    /// <summary>
    /// This process's cgroup: its directory in the mounted cgroup2 hierarchy and its path as /proc/PID/cgroup names
    /// it; null where there is none (no cgroup2 mount, or this process's cgroup lies outside what is mounted).
    /// </summary>
    public static (string Directory, string Path)? Own()
    {
        try
        {
            return MountPoint(File.ReadAllText("/proc/self/mountinfo")) is not var (mount, root)
                || UnifiedPath(File.ReadAllText("/proc/self/cgroup")) is not { } path
                || Resolve(mount, root, path) is not { } directory
                ? null
                : (directory, path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The cgroup2 path of a process as /proc/PID/cgroup gives it (a zombie keeps its own); null when unreadable.</summary>
    public static string? PathOf(int pid)
    {
        try
        {
            return UnifiedPath(File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/cgroup"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The pids of the live processes in a cgroup (cgroup.procs); empty once it is gone.</summary>
    public static List<int> Members(string directory)
    {
        try
        {
            return [.. File.ReadAllLines(Path.Combine(directory, "cgroup.procs"))
                .Select(line => int.TryParse(line, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : 0)
                .Where(pid => pid > 0)];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    /// <summary>Whether a live process is left in the cgroup (cgroup.events "populated"); false once it is gone.</summary>
    public static bool IsPopulated(string directory)
    {
        try
        {
            return File.ReadAllLines(Path.Combine(directory, "cgroup.events")).Contains("populated 1", StringComparer.Ordinal);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>
    /// SIGKILL to every process in the cgroup at once, by the kernel (cgroup.kill, Linux >= 5.14): a process forking
    /// while it runs cannot leave a child behind. False where the kernel has no cgroup.kill.
    /// </summary>
    public static bool Kill(string directory)
    {
        var file = Path.Combine(directory, "cgroup.kill");
        if (!File.Exists(file))
        {
            return false;
        }

        File.WriteAllText(file, "1");
        return true;
    }

    /// <summary>(mount point, root of the mount) of the first cgroup2 mount in a /proc/PID/mountinfo; null when none.</summary>
    public static (string MountPoint, string Root)? MountPoint(string mountinfo)
    {
        foreach (var line in mountinfo.Split('\n'))
        {
            // id parent major:minor root mount-point options [optional fields...] - fstype source super-options
            var separator = line.IndexOf(" - ", StringComparison.Ordinal);
            if (separator < 0)
            {
                continue;
            }

            var fields = line[..separator].Split(' ');
            var type = line[(separator + 3)..].Split(' ')[0];
            if (type == "cgroup2" && fields.Length >= 5)
            {
                return (Unescape(fields[4]), Unescape(fields[3]));
            }
        }

        return null;
    }

    /// <summary>The cgroup2 path ("0::PATH") of a /proc/PID/cgroup; null when the process has none.</summary>
    public static string? UnifiedPath(string procCgroup) =>
        procCgroup.Split('\n').FirstOrDefault(line => line.StartsWith("0::", StringComparison.Ordinal)) is { } line && line.Length > 3
            ? line[3..]
            : null;

    /// <summary>The directory of cgroup <paramref name="path"/> under a cgroup2 mount of <paramref name="root"/>; null when outside it.</summary>
    public static string? Resolve(string mountPoint, string root, string path)
    {
        if (path.Contains("/../", StringComparison.Ordinal) || path.EndsWith("/..", StringComparison.Ordinal) || path.EndsWith(" (deleted)", StringComparison.Ordinal))
        {
            return null;
        }

        string relative;
        if (root == "/")
        {
            relative = path;
        }
        else if (path == root || path.StartsWith(root + "/", StringComparison.Ordinal))
        {
            relative = path[root.Length..];
        }
        else
        {
            return null;
        }

        return relative is "" or "/" ? mountPoint : mountPoint.TrimEnd('/') + relative;
    }

    // mountinfo escapes space, tab, newline and backslash as \ooo.
    private static string Unescape(string field)
    {
        if (!field.Contains('\\', StringComparison.Ordinal))
        {
            return field;
        }

        var text = new System.Text.StringBuilder(field.Length);
        for (var i = 0; i < field.Length; i++)
        {
            if (field[i] == '\\' && i + 3 < field.Length
                && int.TryParse(field.AsSpan(i + 1, 3), NumberStyles.None, CultureInfo.InvariantCulture, out _))
            {
                text.Append((char)Convert.ToInt32(field.Substring(i + 1, 3), 8));
                i += 3;
            }
            else
            {
                text.Append(field[i]);
            }
        }

        return text.ToString();
    }
}

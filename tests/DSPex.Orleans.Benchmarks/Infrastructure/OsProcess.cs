using System.Globalization;
using System.Runtime.InteropServices;

namespace DSPex.Orleans.Benchmarks.Infrastructure;

/// <summary>Linux process facts from /proc, and signals sent by pid (never by name).</summary>
public static partial class OsProcess
{
    public const int SIGKILL = 9;
    public const int SIGTERM = 15;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int SysKill(int pid, int signal);

    public static void Signal(int pid, int signal) => _ = SysKill(pid, signal);

    public static bool IsAlive(int pid)
    {
        try
        {
            // A zombie has exited: it only waits to be reaped.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>Resident set size in bytes; 0 once the process is gone.</summary>
    public static long ResidentBytes(int pid)
    {
        try
        {
            var fields = File.ReadAllText($"/proc/{pid}/statm").Split(' ');
            return long.Parse(fields[1], CultureInfo.InvariantCulture) * Environment.SystemPageSize;
        }
        catch (Exception e) when (e is IOException or FormatException or IndexOutOfRangeException)
        {
            return 0;
        }
    }

    /// <summary>
    /// A process's memory from /proc/PID/status: peak RSS (VmHWM) and what its RSS is made of now: anonymous memory
    /// (the GC heap, native heaps, stacks), file-backed pages (mapped assemblies and native libraries, shared with
    /// other processes mapping the same files) and shared memory (in .NET, the JIT's code and stubs: with W^X the
    /// runtime maps its executable memory twice through a shared-memory file). Null once the process is gone.
    /// </summary>
    public static ProcessMemory? Memory(int pid)
    {
        try
        {
            long Field(string[] lines, string name) =>
                lines.FirstOrDefault(l => l.StartsWith(name + ":", StringComparison.Ordinal)) is { } line
                    ? long.Parse(line[(name.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024
                    : 0;
            var status = File.ReadAllLines($"/proc/{pid}/status");
            return new ProcessMemory(Field(status, "VmRSS"), Field(status, "VmHWM"), Field(status, "RssAnon"), Field(status, "RssFile"), Field(status, "RssShmem"));
        }
        catch (Exception e) when (e is IOException or FormatException)
        {
            return null;
        }
    }

    /// <summary>Live processes whose command line contains <paramref name="text"/> (our cluster marker).</summary>
    public static IReadOnlyList<int> WithCommandLineContaining(params string[] texts)
    {
        var found = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid) || pid == Environment.ProcessId)
            {
                continue;
            }

            try
            {
                var cmdline = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                if (texts.All(text => cmdline.Contains(text, StringComparison.Ordinal)) && IsAlive(pid))
                {
                    found.Add(pid);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }
        }

        return found;
    }
}

/// <summary>A process's resident memory in bytes: now, its peak, and now's anonymous, file-backed and shared-memory parts.</summary>
public sealed record ProcessMemory(long ResidentBytes, long PeakResidentBytes, long AnonymousBytes, long FileBytes, long SharedBytes);

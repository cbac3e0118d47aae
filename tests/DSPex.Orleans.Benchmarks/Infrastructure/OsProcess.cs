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

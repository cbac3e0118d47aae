using System.Globalization;

namespace DSPex.Orleans.Benchmarks.Measurement;

/// <summary>
/// CPU time (user + system, all threads) of processes, from /proc/PID/stat. Per call, it shows where the work of
/// the path goes: client, silo or Python. On a 2-core machine that is what bounds throughput once callers queue.
/// </summary>
public static class CpuTime
{
    private static readonly double TicksPerSecond = 100; // USER_HZ on Linux

    public static double Seconds(IEnumerable<int> pids) => pids.Sum(Seconds);

    public static double Seconds(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            // After the command name: state is field 3, so utime (14) and stime (15) are at 11 and 12.
            return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
        }
        catch (Exception e) when (e is IOException or FormatException or IndexOutOfRangeException)
        {
            return 0;
        }
    }
}

using System.Text;
using DSPex.Orleans.Contracts;

namespace DSPex.Orleans.Cli;

/// <summary>
/// The tables of `dspex stats` and `dspex workers`. A cluster that runs only the default pool gets the columns it
/// always had; once a named pool exists, a pool column follows the silo (one row per pool per silo). A pool that
/// failed to start is followed by an indented line saying why.
/// </summary>
internal static class StatsTable
{
    public static string Format(ClusterStats stats)
    {
        var pool = PoolColumn(stats);
        var text = new StringBuilder();
        text.AppendLine($"{"silo",-32} {Cell(pool, "pool")}{"size",5} {"workers",8} {"busy",5} {"queued",7} {"served",9} {"errors",7} {"restarts",9} {"q-timeouts",11}");
        foreach (var p in Ordered(stats))
        {
            text.AppendLine($"{p.Silo,-32} {Cell(pool, p.Pool)}{p.Size,5} {p.Workers,8} {p.Busy,5} {p.Queued,7} {p.Served,9} {p.Errors,7} {p.Restarts,9} {p.QueueTimeouts,11}");
            if (p.StartFailure is { } failure)
            {
                text.AppendLine($"    pool {p.Pool} failed to start: {failure.ReplaceLineEndings(" ")}");
            }
        }

        foreach (var silo in stats.Unreachable)
        {
            text.AppendLine($"{silo,-32} (did not answer)");
        }

        return text.ToString();
    }

    public static string FormatWorkers(ClusterStats stats)
    {
        var pool = PoolColumn(stats);
        var text = new StringBuilder();
        text.AppendLine($"{"worker",-36} {Cell(pool, "pool")}{"pid",8} {"state",9} {"in-flight",10} {"served",9} {"rss-MiB",8}");
        foreach (var p in Ordered(stats))
        {
            foreach (var w in p.WorkerDetails)
            {
                text.AppendLine($"{w.WorkerId,-36} {Cell(pool, p.Pool)}{w.Pid,8} {w.State,9} {w.InFlight,10} {w.Served,9} {w.ResidentBytes / 1048576.0,8:0.0}");
            }
        }

        return text.ToString();
    }

    /// <summary>The width of the pool column: 0 (no column) when every row is the default pool.</summary>
    private static int PoolColumn(ClusterStats stats) =>
        stats.Pools.All(p => p.Pool == PoolNames.Default) ? 0 : Math.Max("pool".Length, stats.Pools.Max(p => p.Pool.Length));

    private static string Cell(int width, string value) => width == 0 ? "" : value.PadRight(width) + " ";

    // Silos in the order they answered, each silo's rows together: its default pool first, then its named pools by name.
    private static IEnumerable<PoolStats> Ordered(ClusterStats stats) =>
        stats.Pools.GroupBy(p => p.Silo, StringComparer.Ordinal)
            .SelectMany(silo => silo.OrderBy(p => p.Pool != PoolNames.Default).ThenBy(p => p.Pool, StringComparer.Ordinal));
}

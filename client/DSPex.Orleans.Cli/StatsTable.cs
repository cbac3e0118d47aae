using System.Globalization;
using System.Text;
using DSPex.Orleans.Contracts;

namespace DSPex.Orleans.Cli;

/// <summary>
/// The tables of `dspex stats` and `dspex workers`. A cluster that runs only the default pool gets the columns it
/// always had; once a named pool exists, a pool column follows the silo (one row per pool per silo). A pool that
/// failed to start is followed by an indented line saying why. Once a pool is elastic, its floor and ceiling follow the
/// size (the current one).
/// </summary>
internal static class StatsTable
{
    public static string Format(ClusterStats stats)
    {
        var pool = PoolColumn(stats);
        var text = new StringBuilder();
        var elastic = stats.Pools.Any(IsElastic);
        text.AppendLine($"{"silo",-32} {Cell(pool, "pool")}{"size",5} {BoundsCells(elastic, "min", "max")}{"workers",8} {"busy",5} {"queued",7} {"served",9} {"errors",7} {"restarts",9} {"q-timeouts",11}");
        foreach (var p in Ordered(stats))
        {
            text.AppendLine($"{p.Silo,-32} {Cell(pool, p.Pool)}{p.Size,5} {BoundsCells(elastic, Floor(p).ToString(CultureInfo.InvariantCulture), Ceiling(p).ToString(CultureInfo.InvariantCulture))}{p.Workers,8} {p.Busy,5} {p.Queued,7} {p.Served,9} {p.Errors,7} {p.Restarts,9} {p.QueueTimeouts,11}");
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

    /// <summary>
    /// The fewest workers the pool keeps: 0 for a named pool that starts on demand; its size from a silo that predates
    /// elastic pools (which reports 0 for both bounds).
    /// </summary>
    public static int Floor(PoolStats pool) => pool.MaxSize > 0 ? pool.MinSize : pool.Size;

    /// <summary>The most workers the pool grows to, as <see cref="Floor"/> reads an older silo.</summary>
    public static int Ceiling(PoolStats pool) => pool.MaxSize > 0 ? pool.MaxSize : pool.Size;

    /// <summary>" (min 1, max 4)" for an elastic pool, nothing for a fixed one.</summary>
    public static string Bounds(PoolStats pool) => IsElastic(pool) ? $" (min {Floor(pool)}, max {Ceiling(pool)})" : "";

    private static bool IsElastic(PoolStats pool) => Floor(pool) != Ceiling(pool);

    // The min and max columns appear once a pool is elastic, so a cluster of fixed pools keeps the table it always had.
    private static string BoundsCells(bool elastic, string min, string max) => elastic ? $"{min,4} {max,4} " : "";

    /// <summary>The width of the pool column: 0 (no column) when every row is the default pool.</summary>
    private static int PoolColumn(ClusterStats stats) =>
        stats.Pools.All(p => p.Pool == PoolNames.Default) ? 0 : Math.Max("pool".Length, stats.Pools.Max(p => p.Pool.Length));

    private static string Cell(int width, string value) => width == 0 ? "" : value.PadRight(width) + " ";

    // Silos in the order they answered, each silo's rows together: its default pool first, then its named pools by name.
    private static IEnumerable<PoolStats> Ordered(ClusterStats stats) =>
        stats.Pools.GroupBy(p => p.Silo, StringComparer.Ordinal)
            .SelectMany(silo => silo.OrderBy(p => p.Pool != PoolNames.Default).ThenBy(p => p.Pool, StringComparer.Ordinal));
}

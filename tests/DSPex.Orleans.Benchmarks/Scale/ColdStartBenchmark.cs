using System.Diagnostics;
using DSPex.Orleans.Benchmarks.Infrastructure;
using DSPex.Orleans.Benchmarks.Scenarios;
using DSPex.Orleans.Client;
using DSPex.Orleans.Contracts;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace DSPex.Orleans.Benchmarks.Scale;

/// <summary>
/// The cold-start cell of a pool that starts on demand (a named pool of MinSize 0; issue 24): on the real dspex-silo
/// process, repeatedly, with the pool idle at zero: one caller's first call (the worker's start inside it), the warm
/// calls after it on the same worker, N callers arriving together at zero (one worker is started for them), and, in
/// the same repeat, one bridge process started straight (no Orleans) as the floor of a first call. Memory: the silo's
/// and the pool's workers' RSS at zero and at one worker, whose difference is what the pool saves while idle.
/// Selected by "--scenarios cold-start"; writes cold-start.json and .md.
/// </summary>
public static class ColdStartBenchmark
{
    private const string Pool = "cold";
    private const int WarmCalls = 20;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(120);

    public sealed record Repeat(
        int Index, double RawColdStartMs, double FirstCallMs, double WarmP50Ms, double TogetherMedianMs, double TogetherMaxMs, long StartsTogether,
        double SiloResidentAtZeroMiB, double SiloResidentAtOneMiB, double WorkerResidentMiB);

    public sealed record Figures(
        string Command, int Repeats, int Together, double FirstEverCallMs, double RawColdStartMs, double FirstCallMs, double WarmP50Ms,
        double TogetherMedianMs, double TogetherMaxMs, double SiloResidentAtZeroMiB, double SiloResidentAtOneMiB, double WorkerResidentMiB,
        double SavedAtZeroMiB, string LoadBefore, string LoadAfter, IReadOnlyList<Repeat> Rounds);

    private static ExecuteOptions InPool => new() { Pool = Pool };

    public static async Task<int> RunAsync(int together, int repeats, string python, string outputDirectory)
    {
        var loadBefore = LoadAverage();
        var cluster = ClusterSettings.Create("coldstart", 1, python);
        var bridge = new BridgeWorkers($"bench-coldraw-{Environment.ProcessId}", python);
        var pool = $"DSPEX_DSPex__Pools__{Pool}__";
        var onDemand = new SiloVariant("cold-start", null, new Dictionary<string, string>
        {
            [pool + "MinSize"] = "0",
            [pool + "MaxSize"] = together.ToString(System.Globalization.CultureInfo.InvariantCulture),
            [pool + "PythonExecutable"] = cluster.PythonExecutable,
            [pool + "AdapterModules__0"] = BenchmarkPaths.AdapterModule,
            [pool + "AdapterPaths__0"] = BenchmarkPaths.AdapterDirectory,
            // Every worker of this pool is an on-demand start: the scaler never grows it on its own, and it retires
            // the worker a second after its last call so the next repeat finds it at zero again.
            [pool + "ScaleUpAfter"] = "00:10:00",
            [pool + "ScaleDownIdleTimeout"] = "00:00:01",
            [pool + "QueueTimeout"] = "00:02:00",
            [pool + "SpillToOtherSilos"] = "false",
        });

        await using var silo = SiloChildProcess.Start(cluster, onDemand);
        await silo.WaitUntilWarmAsync(TimeSpan.FromSeconds(90));
        using var connection = await RemoteClientHost.ConnectAsync(cluster, null, CancellationToken.None);
        var client = connection.Services.GetRequiredService<DSPexClient>();
        try
        {
            // JIT and the routes: the default pool once, and the first on-demand start of the run on its own.
            Check(await client.ExecuteResponseAsync("ping"));
            await AtZeroAsync(client, []);
            var firstEver = await TimeAsync(() => client.ExecuteResponseAsync("ping", options: InPool));
            var rounds = new List<Repeat>();
            IReadOnlyList<int> lastWorkers = [.. (await StatsAsync(client)).WorkerDetails.Select(w => w.Pid)];
            for (var i = 1; i <= repeats; i++)
            {
                await AtZeroAsync(client, lastWorkers);
                var atZero = OsProcess.ResidentBytes(silo.Pid);
                var raw = Stopwatch.StartNew();
                await using (await bridge.StartOneAsync())
                {
                    raw.Stop();
                }

                var first = await TimeAsync(() => client.ExecuteResponseAsync("ping", options: InPool));
                var warm = new List<double>();
                for (var w = 0; w < WarmCalls; w++)
                {
                    warm.Add(await TimeAsync(() => client.ExecuteResponseAsync("ping", options: InPool)));
                }

                var live = await StatsAsync(client);
                var workerResident = live.WorkerDetails.Sum(w => OsProcess.ResidentBytes(w.Pid));
                var atOne = OsProcess.ResidentBytes(silo.Pid);

                var before = await AtZeroAsync(client, [.. live.WorkerDetails.Select(w => w.Pid)]);
                var calls = await Task.WhenAll(Enumerable.Range(0, together).Select(_ => TimeAsync(() => client.ExecuteResponseAsync("ping", options: InPool))));
                var after = await StatsAsync(client);
                lastWorkers = [.. after.WorkerDetails.Select(w => w.Pid)];

                var round = new Repeat(i, Round(raw.Elapsed.TotalMilliseconds), first, Median(warm), Median([.. calls]), calls.Max(), after.ScaledUp - before.ScaledUp,
                    MiB(atZero), MiB(atOne), MiB(workerResident));
                Console.WriteLine($"  cold-start round {i}: {round}");
                rounds.Add(round);
            }

            var figures = new Figures(ScaleReport.Command(), repeats, together, firstEver,
                Median(rounds.Select(r => r.RawColdStartMs)), Median(rounds.Select(r => r.FirstCallMs)), Median(rounds.Select(r => r.WarmP50Ms)),
                Median(rounds.Select(r => r.TogetherMedianMs)), Median(rounds.Select(r => r.TogetherMaxMs)),
                Median(rounds.Select(r => r.SiloResidentAtZeroMiB)), Median(rounds.Select(r => r.SiloResidentAtOneMiB)), Median(rounds.Select(r => r.WorkerResidentMiB)),
                Math.Round(Median(rounds.Select(r => r.WorkerResidentMiB + r.SiloResidentAtOneMiB - r.SiloResidentAtZeroMiB)), 1),
                loadBefore, LoadAverage(), rounds);
            var markdown = Markdown(figures).ToList();
            ScaleReport.Write(outputDirectory, "cold-start", figures, markdown);
            foreach (var line in markdown.Take(14))
            {
                Console.WriteLine(line);
            }

            return 0;
        }
        finally
        {
            await connection.StopAsync(TimeSpan.FromSeconds(10));
        }
    }

    /// <summary>Waits until the pool has retired its workers and their processes (<paramref name="pids"/>) are gone; its stats then.</summary>
    private static async Task<PoolStats> AtZeroAsync(DSPexClient client, IReadOnlyList<int> pids)
    {
        var until = Stopwatch.StartNew();
        while (true)
        {
            var stats = await StatsAsync(client);
            if (stats.Size == 0 && stats.Workers == 0 && pids.All(pid => !OsProcess.IsAlive(pid)))
            {
                return stats;
            }

            if (until.Elapsed > Deadline)
            {
                throw new TimeoutException($"pool {Pool} did not return to zero within {Deadline.TotalSeconds:0} s: {stats}");
            }

            await Task.Delay(50);
        }
    }

    private static async Task<PoolStats> StatsAsync(DSPexClient client) =>
        (await client.GetClusterStatsAsync()).Pools.Single(p => p.Pool == Pool);

    private static async Task<double> TimeAsync(Func<ValueTask<ExecuteResponse>> call)
    {
        var started = Stopwatch.GetTimestamp();
        var response = await call();
        var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        Check(response);
        return Round(elapsed);
    }

    private static void Check(ExecuteResponse response)
    {
        if (response.Error is { } error)
        {
            throw new InvalidOperationException($"{error.Kind}: {error.Message}");
        }
    }

    private static IEnumerable<string> Markdown(Figures f)
    {
        yield return "# Cold start of a pool that starts on demand (MinSize 0)";
        yield return "";
        yield return $"The real dspex-silo with a named pool `{Pool}` of min 0, max {f.Together} (ScaleDownIdleTimeout 1 s), the `ping` command; "
            + $"{f.Repeats} repeats, each from the pool at zero (its last worker retired and gone); medians over the repeats. "
            + $"Command: `{f.Command}` ({Environment.ProcessorCount} cores, load {f.LoadBefore} before, {f.LoadAfter} after).";
        yield return "";
        yield return "| what | ms |";
        yield return "|---|---:|";
        yield return $"| one bridge process started straight, spawn to ready (no Orleans; the floor of a first call) | {f.RawColdStartMs:0.0} |";
        yield return $"| first call into the pool at zero, one caller (end to end, the worker's start inside it) | {f.FirstCallMs:0.0} |";
        yield return $"| the same call once the worker is up (p50 of {WarmCalls}) | {f.WarmP50Ms:0.00} |";
        yield return $"| {f.Together} callers arriving together at zero: median / slowest | {f.TogetherMedianMs:0.0} / {f.TogetherMaxMs:0.0} |";
        yield return $"| the run's very first on-demand call (JIT, cold file caches) | {f.FirstEverCallMs:0.0} |";
        yield return "";
        yield return $"First call over the straight start: {f.FirstCallMs - f.RawColdStartMs:0.0} ms (what the pool adds to a Python start: the "
            + "queueing, the start decision, the worker's registration and the call itself).";
        yield return "";
        yield return "| memory | MiB |";
        yield return "|---|---:|";
        yield return $"| silo RSS, pool at zero | {f.SiloResidentAtZeroMiB:0.0} |";
        yield return $"| silo RSS, pool at one worker | {f.SiloResidentAtOneMiB:0.0} |";
        yield return $"| the pool's worker RSS at one worker | {f.WorkerResidentMiB:0.0} |";
        yield return $"| **saved while idle at zero** (worker + silo difference, median of repeats) | **{f.SavedAtZeroMiB:0.0}** |";
        yield return "";
        yield return "| repeat | straight start ms | first call ms | warm p50 ms | together median / max ms | workers started together | silo RSS zero / one MiB | worker RSS MiB |";
        yield return "|---:|---:|---:|---:|---|---:|---|---:|";
        foreach (var r in f.Rounds)
        {
            yield return $"| {r.Index} | {r.RawColdStartMs:0.0} | {r.FirstCallMs:0.0} | {r.WarmP50Ms:0.00} | {r.TogetherMedianMs:0.0} / {r.TogetherMaxMs:0.0} | {r.StartsTogether} | "
                + $"{r.SiloResidentAtZeroMiB:0.0} / {r.SiloResidentAtOneMiB:0.0} | {r.WorkerResidentMiB:0.0} |";
        }
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? 0 : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : Round((sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2);
    }

    private static double Round(double value) => Math.Round(value, 2);

    private static double MiB(long bytes) => Math.Round(bytes / 1048576.0, 1);

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";
}

using System.Diagnostics;
using DSPex.Orleans.Benchmarks.Infrastructure;
using DSPex.Orleans.Configuration;
using DSPex.Orleans.Pool;
using Microsoft.Extensions.DependencyInjection;
using ScottPlot;

namespace DSPex.Orleans.Benchmarks.Scale;

/// <summary>
/// The burst cell (issue 24 item 5): idle, then 32 callers of cpu-spin for 20 s, then idle, on an elastic pool (min 1,
/// max N) and on a fixed pool of N, one after the other in the same run, each a one-silo in-process cluster. It reports
/// throughput and latency over the burst, the pool's size and its workers' resident memory over time (burst.png), and
/// the memory the elastic pool saves once idle again. Selected by "--scenarios burst"; writes burst.json, .md and .png.
/// </summary>
public static class BurstBenchmark
{
    private const int Callers = 32;
    private static readonly TimeSpan IdleBefore = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Burst = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan ScaleDownIdle = TimeSpan.FromSeconds(10);
    // After the burst: the idle timeout, the retirements, then a window of idle samples to average.
    private static readonly TimeSpan IdleAfter = ScaleDownIdle + TimeSpan.FromSeconds(10);
    private static readonly TimeSpan IdleWindow = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan SampleEvery = TimeSpan.FromMilliseconds(250);

    public sealed record Sample(double Seconds, int Size, int Workers, int Busy, int Queued, long WorkerResidentBytes);

    public sealed record PoolRun(
        string Pool, int MinSize, int MaxSize, long Calls, long Errors, double CallsPerSecond, double P50Ms, double P99Ms, double MaxMs,
        long ScaledUp, long ScaledDown, double IdleResidentMiB, double BurstResidentMiB, IReadOnlyList<Sample> Samples);

    public sealed record Figures(string Command, int N, int Callers, double BurstSeconds, string Workload, PoolRun Elastic, PoolRun Fixed, double IdleMemorySavedMiB);

    public static async Task<int> RunAsync(int n, string python, string outputDirectory)
    {
        var elastic = await RunPoolAsync("elastic", n, python, o =>
        {
            o.MinSize = 1;
            o.MaxSize = n;
            o.ScaleDownIdleTimeout = ScaleDownIdle;
        });
        var fixedPool = await RunPoolAsync("fixed", n, python, o => o.Size = n);
        var saved = fixedPool.IdleResidentMiB - elastic.IdleResidentMiB;
        var figures = new Figures(ScaleReport.Command(), n, Callers, Burst.TotalSeconds, Workloads.Workload.CpuSpin.Description, elastic, fixedPool, saved);
        Render(figures, Path.Combine(outputDirectory, "burst.png"));
        ScaleReport.Write(outputDirectory, "burst", figures, Markdown(figures));
        foreach (var line in Markdown(figures).Take(12))
        {
            Console.WriteLine(line);
        }

        return 0;
    }

    private static async Task<PoolRun> RunPoolAsync(string name, int n, string python, Action<DSPexPoolOptions> configure)
    {
        await using var silos = await InProcessSilos.StartAsync($"burst-{name}", 1, n, python, pool: o =>
        {
            o.AdapterModules.Add(BenchmarkPaths.AdapterModule);
            o.AdapterPaths.Add(BenchmarkPaths.AdapterDirectory);
            o.QueueTimeout = TimeSpan.FromMinutes(5);
            configure(o);
        });
        var pool = silos.Services(0).GetRequiredService<SiloPools>().Default;
        var cluster = silos.Cluster;
        var samples = new List<Sample>();
        var clock = Stopwatch.StartNew();
        using var stopSampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(SampleEvery);
            try
            {
                do
                {
                    var stats = pool.GetStats();
                    samples.Add(new Sample(clock.Elapsed.TotalSeconds, stats.Size, stats.Workers, stats.Busy, stats.Queued, cluster.WorkerResidentBytes().Sum()));
                }
                while (await timer.WaitForNextTickAsync(stopSampling.Token));
            }
            catch (OperationCanceledException)
            {
            }
        });

        await Task.Delay(IdleBefore);
        var burstStart = clock.Elapsed.TotalSeconds;
        var latencies = new List<double>[Callers];
        long errors = 0;
        var until = clock.Elapsed + Burst;
        var args = Workloads.Workload.CpuSpin.ArgsJson;
        await Task.WhenAll(Enumerable.Range(0, Callers).Select(caller => Task.Run(async () =>
        {
            var mine = latencies[caller] = [];
            while (clock.Elapsed < until)
            {
                var started = Stopwatch.GetTimestamp();
                try
                {
                    await silos.Client.ExecuteRawAsync(Workloads.Workload.CpuSpin.Command, args);
                    mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
                catch (Exception)
                {
                    Interlocked.Increment(ref errors);
                }
            }
        })));
        var burstEnd = clock.Elapsed.TotalSeconds;
        await Task.Delay(IdleAfter);
        await stopSampling.CancelAsync();
        await sampler;

        var all = latencies.SelectMany(l => l).Order().ToArray();
        var final = pool.GetStats();
        double Percentile(double p) => all.Length == 0 ? 0 : all[Math.Min(all.Length - 1, (int)Math.Ceiling(p * all.Length) - 1)];
        double MeanMiB(IEnumerable<Sample> window) => window.Select(s => s.WorkerResidentBytes / 1048576.0).DefaultIfEmpty(0).Average();
        var end = samples[^1].Seconds;
        return new PoolRun(
            name, final.MinSize, final.MaxSize, all.Length, errors, all.Length / (burstEnd - burstStart), Percentile(0.5), Percentile(0.99), all.LastOrDefault(),
            final.ScaledUp, final.ScaledDown,
            MeanMiB(samples.Where(s => s.Seconds >= end - IdleWindow.TotalSeconds)),
            MeanMiB(samples.Where(s => s.Seconds >= burstStart + 5 && s.Seconds <= burstEnd)),
            [.. samples.Select(s => s with { Seconds = Math.Round(s.Seconds - burstStart, 2) })]);
    }

    private static IEnumerable<string> Markdown(Figures f)
    {
        yield return "# Burst: an elastic pool against a fixed one";
        yield return "";
        yield return $"Idle {IdleBefore.TotalSeconds:0} s, then {f.Callers} callers of `cpu-spin` ({f.Workload}) for {f.BurstSeconds:0} s, then idle "
            + $"{IdleAfter.TotalSeconds:0} s; elastic pool min 1, max {f.N} (ScaleUpAfter 1 s, ScaleDownIdleTimeout {ScaleDownIdle.TotalSeconds:0} s, "
            + $"HeartbeatInterval 1 s) and a fixed pool of {f.N}, one after the other in one run, each a one-silo in-process cluster. "
            + $"Command: `{f.Command}` ({Environment.ProcessorCount} cores, load at the end {LoadAverage()}).";
        yield return "";
        yield return "| pool | calls | errors | calls/s | p50 ms | p99 ms | max ms | grew by | retired | worker RSS in the burst | worker RSS idle after |";
        yield return "|---|---|---|---|---|---|---|---|---|---|---|";
        foreach (var r in new[] { f.Elastic, f.Fixed })
        {
            yield return $"| {r.Pool} ({r.MinSize}-{r.MaxSize}) | {r.Calls} | {r.Errors} | {r.CallsPerSecond:0.0} | {r.P50Ms:0.00} | {r.P99Ms:0.00} | {r.MaxMs:0.0} | "
                + $"{r.ScaledUp} | {r.ScaledDown} | {r.BurstResidentMiB:0.0} MiB | {r.IdleResidentMiB:0.0} MiB |";
        }

        yield return "";
        yield return $"Elastic against fixed: throughput x{f.Elastic.CallsPerSecond / Math.Max(1e-9, f.Fixed.CallsPerSecond):0.00}, p99 x{f.Elastic.P99Ms / Math.Max(1e-9, f.Fixed.P99Ms):0.00}; "
            + $"memory saved when idle: {f.IdleMemorySavedMiB:0.0} MiB of worker resident memory.";
        yield return "";
        yield return "![workers and memory over time](burst.png)";
        yield return "";
        yield return "Pool size over time (seconds from the burst's start):";
        yield return "";
        yield return "| s | elastic size | elastic queued | fixed size |";
        yield return "|---|---|---|---|";
        foreach (var s in f.Elastic.Samples.Where((_, i) => i % 8 == 0))
        {
            var fixedSize = f.Fixed.Samples.MinBy(x => Math.Abs(x.Seconds - s.Seconds))?.Size ?? 0;
            yield return $"| {s.Seconds:0.0} | {s.Size} | {s.Queued} | {fixedSize} |";
        }
    }

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";

    private static void Render(Figures f, string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var multiplot = new Multiplot();
        multiplot.AddPlots(2);
        multiplot.Layout = new ScottPlot.MultiplotLayouts.Grid(rows: 2, columns: 1);
        var palette = new ScottPlot.Palettes.Category10();
        var workers = multiplot.GetPlot(0);
        var memory = multiplot.GetPlot(1);
        var index = 0;
        foreach (var run in new[] { f.Elastic, f.Fixed })
        {
            var x = run.Samples.Select(s => s.Seconds).ToArray();
            var size = workers.Add.Scatter(x, run.Samples.Select(s => (double)s.Workers).ToArray());
            size.LegendText = $"{run.Pool} ({run.MinSize}-{run.MaxSize}): live workers";
            size.Color = palette.GetColor(index);
            size.MarkerSize = 0;
            size.LineWidth = 2;
            var rss = memory.Add.Scatter(x, run.Samples.Select(s => s.WorkerResidentBytes / 1048576.0).ToArray());
            rss.LegendText = $"{run.Pool}: worker resident memory (MiB)";
            rss.Color = palette.GetColor(index);
            rss.MarkerSize = 0;
            rss.LineWidth = 2;
            index++;
        }

        foreach (var plot in new[] { workers, memory })
        {
            var burst = plot.Add.HorizontalSpan(0, f.BurstSeconds);
            burst.FillStyle.Color = Colors.Orange.WithAlpha(0.15);
            burst.LegendText = $"{f.Callers} callers of cpu-spin";
            plot.Axes.Bottom.Label.Text = "seconds from the burst's start";
            plot.ShowLegend(Alignment.UpperRight);
        }

        workers.Axes.SetLimitsY(0, f.N + 1);
        workers.Axes.Left.Label.Text = "workers";
        memory.Axes.Left.Label.Text = "MiB";
        multiplot.SavePng(path, 1200, 800);
    }
}

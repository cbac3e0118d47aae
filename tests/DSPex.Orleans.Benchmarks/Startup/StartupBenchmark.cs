using System.Diagnostics;
using DSPex.Orleans.Benchmarks.Scenarios;
using DSPex.Orleans.Workers.Python;

namespace DSPex.Orleans.Benchmarks.Startup;

/// <summary>
/// Time from spawn to the ready frame: one worker alone (the cold start), a pool of N started at once (what the
/// pool does at silo start) and the same N one after another. Repeated, medians reported; the very first start
/// of the run is reported on its own because it may pay for cold file caches.
/// </summary>
public static class StartupBenchmark
{
    public static async Task<StartupResult> RunAsync(BridgeWorkers bridge, int workers, int repeats)
    {
        var (first, _) = await TimeAsync(() => StartPoolAsync(bridge, 1));
        var cold = new List<double>();
        var coldCpu = new List<double>();
        var concurrent = new List<double>();
        var concurrentCpu = new List<double>();
        var oneByOne = new List<double>();
        var paired = new List<double>();
        for (var i = 0; i < repeats; i++)
        {
            var (coldMs, coldCpuMs) = await TimeAsync(() => StartPoolAsync(bridge, 1));
            var (concurrentMs, concurrentCpuMs) = await TimeAsync(() => StartPoolAsync(bridge, workers));
            cold.Add(coldMs);
            coldCpu.Add(coldCpuMs);
            concurrent.Add(concurrentMs);
            concurrentCpu.Add(concurrentCpuMs);
            // Measured back to back: the ratio of a repeat sees one load, where the medians of the two may not.
            paired.Add(Math.Round(concurrentMs / (2 * coldMs), 3));
            oneByOne.Add((await TimeAsync(() => StartOneByOneAsync(bridge, workers))).WallMs);
        }

        return new StartupResult(workers, repeats, first, Median(cold), Median(concurrent), Median(oneByOne))
        {
            ColdStartCpuMs = Median(coldCpu),
            ConcurrentPoolCpuMs = Median(concurrentCpu),
            PairedRatio = Median(paired),
        };
    }

    /// <summary>Spawn to ready of every process, and their CPU time (user + system, 10 ms ticks) spent by then.</summary>
    private static async Task<(double WallMs, double CpuMs)> TimeAsync(Func<Task<PythonProcess[]>> start)
    {
        var clock = Stopwatch.StartNew();
        var started = await start();
        var elapsed = clock.Elapsed.TotalMilliseconds;
        var cpu = Measurement.CpuTime.Seconds(started.Select(p => p.Pid)) * 1000;
        await Task.WhenAll(started.Select(p => p.DisposeAsync().AsTask()));
        return (Math.Round(elapsed, 1), Math.Round(cpu, 1));
    }

    private static Task<PythonProcess[]> StartPoolAsync(BridgeWorkers bridge, int count) =>
        Task.WhenAll(Enumerable.Range(0, count).Select(_ => bridge.StartOneAsync()));

    private static async Task<PythonProcess[]> StartOneByOneAsync(BridgeWorkers bridge, int count)
    {
        var started = new PythonProcess[count];
        for (var i = 0; i < count; i++)
        {
            started[i] = await bridge.StartOneAsync();
        }

        return started;
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        return values.Count == 0 ? 0 : values.Count % 2 == 1 ? values[values.Count / 2] : (values[values.Count / 2 - 1] + values[values.Count / 2]) / 2;
    }
}

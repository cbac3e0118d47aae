using System.Text.Json;
using DSPex.Orleans.Benchmarks.Infrastructure;
using DSPex.Orleans.Benchmarks.Measurement;
using DSPex.Orleans.Benchmarks.Workloads;

namespace DSPex.Orleans.Benchmarks.Scenarios;

/// <summary>
/// The I/O-bound cell: 200 callers at once, each call waiting 50 ms in Python, on N workers whose
/// ConcurrencyPerWorker lets all 200 be in flight. "async" awaits on the worker's event loop (async_sleep_ms);
/// "threads" sleeps on a serving thread (sleep_ms, a thread per call in flight). Each runs on a co-hosted silo of its
/// own, so each pool's worker memory is its own; the order alternates each round. Reports throughput, latency and
/// each worker's peak RSS and thread count under the load, and the async/threads ratios.
/// </summary>
public static class IoBoundCell
{
    public const int Callers = 200;
    public const int WaitMs = 50;

    public static async Task<IReadOnlyList<string>> RunAsync(BenchmarkOptions options, List<ClusterSettings> clusters, CancellationToken cancellationToken)
    {
        var concurrency = (Callers + options.Workers - 1) / options.Workers;
        var variants = new[]
        {
            new Workload("io-threads", "sleep_ms", $$"""{"ms":{{WaitMs}}}""", $"time.sleep({WaitMs} ms) on a serving thread"),
            new Workload("io-async", "async_sleep_ms", $$"""{"ms":{{WaitMs}}}""", $"await asyncio.sleep({WaitMs} ms) on the event loop"),
        };
        var measured = variants.ToDictionary(v => v.Name, _ => new List<CellMeasurement>());
        var peaks = variants.ToDictionary(v => v.Name, _ => new WorkerPeaks());
        for (var round = 0; round < options.Rounds; round++)
        {
            foreach (var workload in round % 2 == 0 ? variants : variants.Reverse())
            {
                var cluster = ClusterSettings.Create(workload.Name, options.Workers, options.PythonExecutable);
                clusters.Add(cluster);
                await using var scenario = new ClusterInProcessScenario(cluster, concurrency);
                await scenario.StartAsync(cancellationToken);
                await LoadRunner.RunAsync(scenario, workload, Callers, TimeSpan.Zero, options.CellWarmUp);
                using var sampling = peaks[workload.Name].Sample(cluster);
                var cell = await LoadRunner.RunAsync(scenario, workload, Callers, options.CellWarmUp, options.CellDuration);
                measured[workload.Name].Add(cell);
                Console.WriteLine($"  r{round + 1} {workload.Name,-10} {Callers} callers on {options.Workers} workers x {concurrency}: "
                    + $"{cell.Calls / cell.Seconds,8:0.0}/s, {cell.Errors} errors");
            }
        }

        var results = variants.Select(v => CellMeasurement.Merge(v.Name, v.Name, Callers, measured[v.Name])).ToArray();
        var (threads, aio) = (results[0], results[1]);
        var lines = new List<string>
        {
            $"io-bound: {Callers} callers, each call waiting {WaitMs} ms in Python, {options.Workers} workers x ConcurrencyPerWorker {concurrency}, co-hosted silo per variant, {options.Rounds} rounds of {options.CellDuration.TotalSeconds} s",
        };
        foreach (var result in results)
        {
            var peak = peaks[result.Scenario];
            lines.Add($"io-bound {result.Scenario}: {result.CallsPerSecond:0.0} calls/s (ideal {Callers * 1000.0 / WaitMs:0}), p50 {result.P50Micros / 1000:0.0} ms, p99 {result.P99Micros / 1000:0.0} ms, "
                + $"errors {result.Errors}, Python CPU {result.PythonCpuMicrosPerCall:0} us/call; per worker peak RSS {string.Join(", ", peak.ResidentMiB())} MiB, threads {string.Join(", ", peak.Threads())}");
        }

        lines.Add($"io-bound ratios async/threads: throughput {aio.CallsPerSecond / Math.Max(threads.CallsPerSecond, 1e-9):0.00}, "
            + $"worker RSS {peaks["io-async"].MeanResident() / Math.Max(peaks["io-threads"].MeanResident(), 1):0.00}, "
            + $"Python CPU per call {aio.PythonCpuMicrosPerCall / Math.Max(threads.PythonCpuMicrosPerCall, 1e-9):0.00}");
        foreach (var line in lines)
        {
            Console.WriteLine(line);
        }

        Directory.CreateDirectory(options.OutputDirectory);
        await File.WriteAllTextAsync(Path.Combine(options.OutputDirectory, "io-bound.json"), JsonSerializer.Serialize(new
        {
            callers = Callers, waitMs = WaitMs, workers = options.Workers, concurrencyPerWorker = concurrency,
            results, peakWorkerResidentBytes = peaks.ToDictionary(p => p.Key, p => p.Value.Resident),
            peakWorkerThreads = peaks.ToDictionary(p => p.Key, p => p.Value.ThreadCounts), summary = lines,
        }, new JsonSerializerOptions { WriteIndented = true }), cancellationToken);
        return lines;
    }

    /// <summary>Each worker's highest RSS and thread count seen while the load runs (sampled every 100 ms).</summary>
    private sealed class WorkerPeaks
    {
        public Dictionary<int, long> Resident { get; } = [];

        public Dictionary<int, int> ThreadCounts { get; } = [];

        public IEnumerable<string> ResidentMiB() => Resident.Values.Select(b => (b / 1048576.0).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture));

        public IEnumerable<int> Threads() => ThreadCounts.Values;

        public double MeanResident() => Resident.Count == 0 ? 0 : Resident.Values.Average();

        public IDisposable Sample(ClusterSettings cluster)
        {
            var stop = new CancellationTokenSource();
            var loop = Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    foreach (var pid in cluster.WorkerPids())
                    {
                        Resident[pid] = Math.Max(Resident.GetValueOrDefault(pid), OsProcess.ResidentBytes(pid));
                        ThreadCounts[pid] = Math.Max(ThreadCounts.GetValueOrDefault(pid), ThreadsOf(pid));
                    }

                    await Task.Delay(100).ConfigureAwait(false);
                }
            });
            return new Stopper(stop, loop);
        }

        private static int ThreadsOf(int pid)
        {
            try
            {
                var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("Threads:", StringComparison.Ordinal));
                return line is null ? 0 : int.Parse(line["Threads:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
            }
            catch (IOException)
            {
                return 0;
            }
        }

        private sealed class Stopper(CancellationTokenSource stop, Task loop) : IDisposable
        {
            public void Dispose()
            {
                stop.Cancel();
                loop.GetAwaiter().GetResult();
                stop.Dispose();
            }
        }
    }
}

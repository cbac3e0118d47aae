using System.Globalization;
using DSPex.Orleans.Benchmarks.Measurement;
using DSPex.Orleans.Benchmarks.Startup;
using DSPex.Orleans.Benchmarks.Workloads;

namespace DSPex.Orleans.Benchmarks.Reporting;

/// <summary>
/// The issue's targets, evaluated against baselines of the same run. Reported, never asserted: a noisy shared
/// machine must not fail a build.
/// </summary>
public static class TargetEvaluator
{
    public static IReadOnlyList<TargetResult> Evaluate(IReadOnlyList<CellResult> cells, StartupResult? startup, int workers)
    {
        var rawN = $"raw-pipe-{workers}w";
        var targets = new List<TargetResult>();

        // 1. Throughput: the cluster with a remote client against the raw pipe with the same workers (peak of each sweep).
        var clusterPeak = Peak(cells, "cluster-remote", Workload.Ping.Name);
        var rawPeak = Peak(cells, rawN, Workload.Ping.Name);
        targets.Add(clusterPeak is null || rawPeak is null
            ? Missing("cluster stateless throughput (remote client, ping)", ">= 0.5 x raw pipe")
            : Ratio("cluster stateless throughput (remote client, ping)", ">= 0.5 x raw pipe, same workers, peak over the sweep",
                $"{clusterPeak.CallsPerSecond:0} vs {rawPeak.CallsPerSecond:0} calls/s ({clusterPeak.Callers} vs {rawPeak.Callers} callers)",
                clusterPeak.CallsPerSecond / rawPeak.CallsPerSecond, 0.5, higherIsBetter: true));

        // 2. Sequential latency through the cluster against the raw pipe.
        var clusterSeq = Cell(cells, "cluster-remote", Workload.Ping.Name, 1);
        var rawSeq = Cell(cells, "raw-pipe-1w", Workload.Ping.Name, 1) ?? Cell(cells, rawN, Workload.Ping.Name, 1);
        if (clusterSeq is null || rawSeq is null)
        {
            targets.Add(Missing("sequential p50 (remote client, ping)", "<= 2 x raw p50 + 150 us"));
            targets.Add(Missing("sequential p99 (remote client, ping)", "<= 1 ms"));
        }
        else
        {
            var bound = 2 * rawSeq.P50Micros + 150;
            targets.Add(Ratio("sequential p50 (remote client, ping)", "<= 2 x raw-pipe p50 + 150 us",
                $"{clusterSeq.P50Micros:0} us vs bound {bound:0} us (raw p50 {rawSeq.P50Micros:0} us)",
                clusterSeq.P50Micros / bound, 1, higherIsBetter: false));
            targets.Add(Ratio("sequential p99 (remote client, ping)", "<= 1 ms",
                $"{clusterSeq.P99Micros:0} us", clusterSeq.P99Micros / 1000, 1, higherIsBetter: false));
        }

        // 3. CPU-bound scaling: N workers against one Python.NET thread, scaled by N.
        var clusterCpu = Peak(cells, "cluster-remote", Workload.CpuSpin.Name);
        var pythonNetCpu = Cell(cells, "pythonnet-inproc", Workload.CpuSpin.Name, 1);
        targets.Add(clusterCpu is null || pythonNetCpu is null
            ? Missing("CPU-bound, N workers (remote client, cpu-spin)", ">= 0.8 x N x Python.NET one thread")
            : Ratio("CPU-bound, N workers (remote client, cpu-spin)", $">= 0.8 x N x Python.NET one thread (N = {workers})",
                $"{clusterCpu.CallsPerSecond:0.0} vs {workers} x {pythonNetCpu.CallsPerSecond:0.0} calls/s",
                clusterCpu.CallsPerSecond / (workers * pythonNetCpu.CallsPerSecond), 0.8, higherIsBetter: true));

        // 4. Start-up: a pool of N started at once against one worker's cold start.
        targets.Add(startup is null
            ? Missing("warm pool of N, concurrent start", "<= 2 x one cold start")
            : Ratio("warm pool of N, concurrent start", $"<= 2 x one worker's cold start (N = {startup.Workers})",
                $"{startup.ConcurrentPoolMs:0} ms vs cold start {startup.ColdStartMs:0} ms",
                startup.ConcurrentPoolMs / (2 * startup.ColdStartMs), 1, higherIsBetter: false));
        return targets;
    }

    public static CellResult? Cell(IEnumerable<CellResult> cells, string scenario, string workload, int callers) =>
        cells.FirstOrDefault(c => c.Scenario == scenario && c.Workload == workload && c.Callers == callers && c.Calls > 0);

    public static CellResult? Peak(IEnumerable<CellResult> cells, string scenario, string workload) =>
        cells.Where(c => c.Scenario == scenario && c.Workload == workload && c.Calls > 0).MaxBy(c => c.CallsPerSecond);

    /// <summary>The ratio is measured / bound, so "met" is ratio >= 1 for a floor and ratio <= 1 for a ceiling.</summary>
    private static TargetResult Ratio(string target, string requirement, string measured, double ratio, double bound, bool higherIsBetter)
    {
        var met = higherIsBetter ? ratio >= bound : ratio <= bound;
        return new TargetResult(target, requirement, measured, Math.Round(ratio, 3), met);
    }

    private static TargetResult Missing(string target, string requirement) =>
        new(target, requirement, "not measured in this run", null, null);

    public static string Format(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);
}

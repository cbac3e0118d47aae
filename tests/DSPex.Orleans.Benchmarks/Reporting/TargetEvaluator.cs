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

        const string floor = FloorComparison.Floor;
        var peakCallers = 16 * workers;

        // 1. Throughput at 16N callers: the cluster with a remote client against the raw pipe with the same workers.
        var clusterPeak = Cell(cells, "cluster-remote", Workload.Ping.Name, peakCallers);
        var rawPeak = Cell(cells, rawN, Workload.Ping.Name, peakCallers);
        targets.Add(clusterPeak is null || rawPeak is null
            ? Missing("cluster stateless throughput (remote client, ping, 16N callers)", ">= 0.5 x raw pipe")
            : Ratio("cluster stateless throughput (remote client, ping, 16N callers)", $">= 0.5 x raw pipe, same workers, {peakCallers} callers",
                $"{clusterPeak.CallsPerSecond:0} vs {rawPeak.CallsPerSecond:0} calls/s",
                clusterPeak.CallsPerSecond / rawPeak.CallsPerSecond, 0.5, higherIsBetter: true));

        // 2. Client plus silo CPU per ping at 16N against Orleans' own floor (same client, same silo, no Python).
        var floorPeak = Cell(cells, floor, Workload.Ping.Name, peakCallers);
        targets.Add(clusterPeak is null || floorPeak is null
            ? Missing("client + silo CPU per ping call (16N callers)", "<= 2 x orleans-floor")
            : Ratio("client + silo CPU per ping call (16N callers)", "<= 2 x orleans-floor client + silo CPU per call",
                $"{clusterPeak.BenchCpuMicrosPerCall + clusterPeak.SiloCpuMicrosPerCall:0} us vs floor {floorPeak.BenchCpuMicrosPerCall + floorPeak.SiloCpuMicrosPerCall:0} us",
                (clusterPeak.BenchCpuMicrosPerCall + clusterPeak.SiloCpuMicrosPerCall) / Math.Max(1e-9, floorPeak.BenchCpuMicrosPerCall + floorPeak.SiloCpuMicrosPerCall),
                2, higherIsBetter: false));

        // 3. Sequential latency: no more than the floor plus the raw pipe (and 50 us at p50).
        var clusterSeq = Cell(cells, "cluster-remote", Workload.Ping.Name, 1);
        var rawSeq = Cell(cells, "raw-pipe-1w", Workload.Ping.Name, 1) ?? Cell(cells, rawN, Workload.Ping.Name, 1);
        var floorSeq = Cell(cells, floor, Workload.Ping.Name, 1);
        if (clusterSeq is null || rawSeq is null || floorSeq is null)
        {
            targets.Add(Missing("sequential p50 (remote client, ping)", "<= orleans-floor p50 + raw-pipe p50 + 50 us"));
            targets.Add(Missing("sequential p99 (remote client, ping)", "<= orleans-floor p99 + raw-pipe p99"));
        }
        else
        {
            var p50Bound = floorSeq.P50Micros + rawSeq.P50Micros + 50;
            targets.Add(Ratio("sequential p50 (remote client, ping)", "<= orleans-floor p50 + raw-pipe p50 + 50 us",
                $"{clusterSeq.P50Micros:0} us vs bound {p50Bound:0} us (floor {floorSeq.P50Micros:0}, raw {rawSeq.P50Micros:0})",
                clusterSeq.P50Micros / p50Bound, 1, higherIsBetter: false));
            var p99Bound = floorSeq.P99Micros + rawSeq.P99Micros;
            targets.Add(Ratio("sequential p99 (remote client, ping)", "<= orleans-floor p99 + raw-pipe p99",
                $"{clusterSeq.P99Micros:0} us vs bound {p99Bound:0} us (floor {floorSeq.P99Micros:0}, raw {rawSeq.P99Micros:0})",
                clusterSeq.P99Micros / p99Bound, 1, higherIsBetter: false));
        }

        // 4. CPU-bound: the cluster against the raw pipe with the same workers, at 4N and 16N callers, and the
        // silo's CPU per call against Python's.
        foreach (var callers in new[] { 4 * workers, peakCallers })
        {
            var clusterCpu = Cell(cells, "cluster-remote", Workload.CpuSpin.Name, callers);
            var rawCpu = Cell(cells, rawN, Workload.CpuSpin.Name, callers);
            targets.Add(clusterCpu is null || rawCpu is null
                ? Missing($"CPU-bound throughput (remote client, cpu-spin, {callers} callers)", ">= 0.9 x raw pipe")
                : Ratio($"CPU-bound throughput (remote client, cpu-spin, {callers} callers)", ">= 0.9 x raw pipe, same workers",
                    $"{clusterCpu.CallsPerSecond:0.0} vs {rawCpu.CallsPerSecond:0.0} calls/s",
                    clusterCpu.CallsPerSecond / rawCpu.CallsPerSecond, 0.9, higherIsBetter: true));
        }

        var spinPeak = Cell(cells, "cluster-remote", Workload.CpuSpin.Name, peakCallers);
        targets.Add(spinPeak is null || spinPeak.PythonCpuMicrosPerCall <= 0
            ? Missing("silo CPU per cpu-spin call (16N callers)", "<= 0.15 x Python CPU per call")
            : Ratio("silo CPU per cpu-spin call (16N callers)", "<= 0.15 x Python CPU per call",
                $"{spinPeak.SiloCpuMicrosPerCall:0} us vs Python {spinPeak.PythonCpuMicrosPerCall:0} us",
                spinPeak.SiloCpuMicrosPerCall / spinPeak.PythonCpuMicrosPerCall / 0.15, 1, higherIsBetter: false));

        // 5. The client's own cost: its CPU and context switches per ping against the floor's client (the same Orleans
        // client), at 1 and 16N callers: on the full path (cluster-remote) and for the library alone (client-floor: the
        // same library calling the floor grain, so the silo side and the wait are the floor's).
        // floor-delay (when run) is the control: the floor's call held back as long as cluster-remote's, so its ratio is
        // what the wait alone costs the same client.
        foreach (var scenario in new[] { "cluster-remote", "client-floor", "floor-delay" })
        {
            foreach (var callers in new[] { 1, peakCallers })
            {
                var cell = Cell(cells, scenario, Workload.Ping.Name, callers);
                if (cell is null && scenario == "floor-delay")
                {
                    continue; // a control run only when named: no "not measured" rows in a run without it
                }

                var floorCell = Cell(cells, floor, Workload.Ping.Name, callers);
                var what = $"client CPU per ping call, {scenario} ({callers} caller{(callers == 1 ? "" : "s")})";
                targets.Add(cell is null || floorCell is null
                    ? Missing(what, "<= 1.5 x orleans-floor's client")
                    : Ratio(what, "<= 1.5 x orleans-floor's client CPU per call",
                        $"{cell.BenchCpuMicrosPerCall:0} us vs floor {floorCell.BenchCpuMicrosPerCall:0} us",
                        cell.BenchCpuMicrosPerCall / Math.Max(1e-9, floorCell.BenchCpuMicrosPerCall), 1.5, higherIsBetter: false));
                what = $"client context switches per ping call, {scenario} ({callers} caller{(callers == 1 ? "" : "s")})";
                targets.Add(cell?.Switches is not { } switches || floorCell?.Switches is not { } floorSwitches
                    ? Missing(what, "<= 1.5 x orleans-floor's client")
                    : Ratio(what, "<= 1.5 x orleans-floor's client switches per call",
                        $"{switches.Bench:0.0} vs floor {floorSwitches.Bench:0.0} ({switches.BenchInvoluntary:0.0} vs {floorSwitches.BenchInvoluntary:0.0} involuntary)",
                        switches.Bench / Math.Max(1e-9, floorSwitches.Bench), 1.5, higherIsBetter: false));
            }
        }

        // 6. Start-up: a pool of N started at once against one worker's cold start.
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

using System.Globalization;
using System.Text;
using DSPex.Orleans.Benchmarks.Measurement;

namespace DSPex.Orleans.Benchmarks.Reporting;

/// <summary>The Markdown form of a report: targets first, then the sweep per workload, start-up and memory.</summary>
public static class MarkdownReport
{
    public static string Render(BenchmarkReport report)
    {
        var run = report.Run;
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"# DSPex.Orleans benchmark results ({run.Mode})");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture,
            $"Run {run.StartedAt:yyyy-MM-dd HH:mm} UTC, commit `{run.GitCommit ?? "?"}`, {run.ProcessorCount} cores, {run.Os}, .NET {run.DotNet}, "
            + $"Python {run.PythonVersion ?? "?"}. N = {run.Workers} workers. Each cell: {run.WarmUpSeconds} s unrecorded warm-up, then "
            + $"{run.CellSeconds} s measured, x {run.Rounds} round(s) with the scenario order rotated; all scenarios run side by side "
            + $"and interleaved cell by cell, so every ratio is against a baseline measured minutes (not hours) apart on the same "
            + $"noisy machine. Load average before/after: {run.LoadAverageBefore} / {run.LoadAverageAfter}. Run took {run.TotalSeconds:0} s.");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Reproduce: `{run.Command.Trim()}`");
        md.AppendLine();

        md.AppendLine("## Targets");
        md.AppendLine();
        md.AppendLine("| target | requirement | measured | ratio | met |");
        md.AppendLine("|---|---|---|---:|---|");
        foreach (var t in report.Targets)
        {
            md.AppendLine(CultureInfo.InvariantCulture,
                $"| {t.Target} | {t.Requirement} | {t.Measured} | {(t.Ratio is { } r ? r.ToString("0.00", CultureInfo.InvariantCulture) : "-")} | {(t.Met switch { true => "met", false => "**not met**", null => "-" })} |");
        }

        md.AppendLine();
        md.AppendLine("Ratio: for throughput and CPU scaling, measured / baseline (met at >= the factor in the requirement); for latency and start-up, measured / bound (met at <= 1).");
        md.AppendLine();

        md.AppendLine("## Scenarios");
        md.AppendLine();
        foreach (var s in report.Scenarios)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"- `{s.Name}` ({s.Workers} worker(s)): {s.Description}");
        }

        md.AppendLine();
        var baseline = $"raw-pipe-{run.Workers}w";
        foreach (var workload in report.Cells.Select(c => c.Workload).Distinct())
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"## Workload `{workload}`");
            md.AppendLine();
            md.AppendLine(CultureInfo.InvariantCulture,
                $"x {baseline}: throughput against the raw pipe with the same callers. Per call: CPU time (user + system, 10 ms ticks from /proc) of the benchmark process (the client; for in-process scenarios also the silo or Python.NET), of the separate silo process, and of the Python workers; context switches (voluntary + involuntary, summed over threads from /proc/PID/task/*/status) of the client, the silo and the Python workers; allocations, thread-pool work items and lock contentions in the benchmark process.");
            md.AppendLine();
            md.AppendLine("| callers | scenario | calls/s | x " + baseline + " | p50 us | p90 us | p99 us | p99.9 us | CPU us bench | CPU us silo | CPU us python | cs client | cs silo | cs python | alloc B | pool items | lock cont. | errors |");
            md.AppendLine("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var cell in report.Cells.Where(c => c.Workload == workload).OrderBy(c => c.Callers).ThenBy(c => ScenarioOrder(report, c.Scenario)))
            {
                var reference = TargetEvaluator.Cell(report.Cells, baseline, workload, cell.Callers);
                var ratio = reference is null ? "-" : (cell.CallsPerSecond / reference.CallsPerSecond).ToString("0.00", CultureInfo.InvariantCulture);
                md.AppendLine(CultureInfo.InvariantCulture,
                    $"| {cell.Callers} | {cell.Scenario} | {cell.CallsPerSecond:0} | {ratio} | {cell.P50Micros:0.0} | {cell.P90Micros:0.0} | {cell.P99Micros:0.0} | {cell.P999Micros:0.0} | {cell.BenchCpuMicrosPerCall:0.0} | {cell.SiloCpuMicrosPerCall:0.0} | {cell.PythonCpuMicrosPerCall:0.0} | {cell.Switches?.Bench:0.00} | {cell.Switches?.Silo:0.00} | {cell.Switches?.Python:0.00} | {cell.AllocatedBytesPerCall:0} | {cell.ThreadPoolItemsPerCall:0.00} | {cell.LockContentionsPerCall:0.000} | {cell.Errors} |");
            }

            md.AppendLine();
        }

        if (report.Floor is { Count: > 0 } floor)
        {
            md.AppendLine("## Against Orleans' own floor");
            md.AppendLine();
            md.AppendLine("`orleans-floor`: the same client and silo process as cluster-remote, the same request to a grain placed as the router that answers without a pool or Python. Per call: client + silo CPU and context switches (cs) of each, their ratio, and what the DSPex path adds (cluster minus floor).");
            md.AppendLine();
            md.AppendLine("| workload | callers | scenario | CPU us client+silo | floor | x floor | cs client | floor | cs silo | floor | cs python | cs x floor (client+silo) | added CPU us | added cs | p50 us | floor p50 us |");
            md.AppendLine("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var f in floor.OrderBy(f => f.Workload).ThenBy(f => f.Callers).ThenBy(f => f.Scenario))
            {
                md.AppendLine(CultureInfo.InvariantCulture,
                    $"| {f.Workload} | {f.Callers} | {f.Scenario} | {f.ClientSiloCpuMicros:0.0} | {f.FloorClientSiloCpuMicros:0.0} | {f.CpuRatio:0.00} | {f.ClientSwitches:0.00} | {f.FloorClientSwitches:0.00} | {f.SiloSwitches:0.00} | {f.FloorSiloSwitches:0.00} | {f.PythonSwitches:0.00} | {f.SwitchesRatio:0.00} | {f.AddedCpuMicros:0.0} | {f.AddedSwitches:0.00} | {f.P50Micros:0} | {f.FloorP50Micros:0} |");
            }

            md.AppendLine();
        }

        PeerComparison.Render(md, report.Cells);

        if (report.Startup is { } startup)
        {
            md.AppendLine("## Start-up");
            md.AppendLine();
            md.AppendLine(CultureInfo.InvariantCulture, $"Spawn to ready frame, medians of {startup.Repeats}; the product's PythonProcess.StartAsync with the pool's start info.");
            md.AppendLine();
            md.AppendLine("| what | ms |");
            md.AppendLine("|---|---:|");
            md.AppendLine(CultureInfo.InvariantCulture, $"| first cold start of the run (1 worker) | {startup.FirstColdStartMs:0.0} |");
            md.AppendLine(CultureInfo.InvariantCulture, $"| cold start, 1 worker | {startup.ColdStartMs:0.0} |");
            md.AppendLine(CultureInfo.InvariantCulture, $"| pool of {startup.Workers}, concurrently | {startup.ConcurrentPoolMs:0.0} |");
            md.AppendLine(CultureInfo.InvariantCulture, $"| pool of {startup.Workers}, one by one | {startup.OneByOnePoolMs:0.0} |");
            if (startup.ColdStartCpuMs is { } coldCpu && startup.ConcurrentPoolCpuMs is { } poolCpu)
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"| CPU by the ready frame: one cold start / the {startup.Workers} of a concurrent start together | {coldCpu:0} / {poolCpu:0} |");
            }

            if (startup.PairedRatio is { } paired)
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"| concurrent / (2 x cold), back to back in each repeat, median (a ratio, not ms) | {paired:0.00} |");
            }
            if (startup.SiloPoolWarmUpMs is { } warm)
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"| dspex-silo pool warm-up as logged (through worker grains) | {warm:0.0} |");
            }

            if (startup.SiloSpawnToWarmMs is { } spawn)
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"| dspex-silo process spawn to warm pool | {spawn:0.0} |");
            }

            md.AppendLine();
        }

        if (report.Memory.Count > 0)
        {
            md.AppendLine("## Memory (after the sweep)");
            md.AppendLine();
            md.AppendLine("| scenario | host managed heap MB | host RSS MB | host peak RSS MB | host RSS anonymous / file / shared MB | host RSS per worker MB | Python worker RSS MB (each) | note |");
            md.AppendLine("|---|---:|---:|---:|---:|---:|---|---|");
            foreach (var m in report.Memory)
            {
                var workers = m.WorkerResidentBytes.Count;
                md.AppendLine(CultureInfo.InvariantCulture,
                    $"| {m.Scenario} | {Mb(m.HostManagedHeapBytes)} | {Mb(m.HostResidentBytes)} | {Mb(m.HostBreakdown?.PeakResidentBytes)} | {(m.HostBreakdown is { } b ? $"{Mb(b.AnonymousBytes)} / {Mb(b.FileBytes)} / {Mb(b.SharedBytes)}" : "-")} | {(m.HostResidentBytes is { } rss && workers > 0 ? Mb(rss / workers) : "-")} | {(workers == 0 ? "-" : string.Join(", ", m.WorkerResidentBytes.Select(b => Mb(b))))} | {m.Note} |");
            }

            md.AppendLine();
        }

        if (report.Notes.Count > 0)
        {
            md.AppendLine("## Notes");
            md.AppendLine();
            foreach (var note in report.Notes)
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"- {note}");
            }

            md.AppendLine();
        }

        md.AppendLine("![latency and throughput](results.png)");
        return md.ToString();
    }

    private static int ScenarioOrder(BenchmarkReport report, string scenario)
    {
        for (var i = 0; i < report.Scenarios.Count; i++)
        {
            if (report.Scenarios[i].Name == scenario)
            {
                return i;
            }
        }

        return int.MaxValue;
    }

    private static string Mb(long? bytes) => bytes is { } b ? (b / 1048576.0).ToString("0.0", CultureInfo.InvariantCulture) : "-";
}

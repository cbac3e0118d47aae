using System.Diagnostics;
using HdrHistogram;

namespace DSPex.Orleans.Benchmarks.Measurement;

/// <summary>The raw record of one cell in one round: latencies (Stopwatch ticks), counts, and process counters.</summary>
public sealed class CellMeasurement(LongHistogram latencies, long errors, double seconds, ProcessCounters counters, string? firstError)
{
    public LongHistogram Latencies { get; } = latencies;

    public long Calls => Latencies.TotalCount;

    public long Errors { get; } = errors;

    public double Seconds { get; } = seconds;

    public ProcessCounters Counters { get; } = counters;

    public string? FirstError { get; } = firstError;

    public static LongHistogram NewHistogram() => new(Stopwatch.Frequency * 120, 3);

    /// <summary>Rounds of the same cell, merged: latencies add up, throughput is all calls over all measured time.</summary>
    public static CellResult Merge(string scenario, string workload, int callers, IReadOnlyList<CellMeasurement> rounds)
    {
        var latencies = NewHistogram();
        long errors = 0;
        double seconds = 0;
        var counters = ProcessCounters.Zero;
        foreach (var round in rounds)
        {
            latencies.Add(round.Latencies);
            errors += round.Errors;
            seconds += round.Seconds;
            counters += round.Counters;
        }

        var calls = Math.Max(1, latencies.TotalCount);
        double Micros(double percentile) => latencies.TotalCount == 0 ? 0 : latencies.GetValueAtPercentile(percentile) * 1e6 / Stopwatch.Frequency;
        return new CellResult(
            scenario, workload, callers, latencies.TotalCount, errors, Math.Round(seconds, 3),
            Math.Round(latencies.TotalCount / Math.Max(seconds, 1e-9), 1),
            Math.Round(Micros(50), 1), Math.Round(Micros(90), 1), Math.Round(Micros(99), 1), Math.Round(Micros(99.9), 1),
            Math.Round(latencies.TotalCount == 0 ? 0 : latencies.GetMaxValue() * 1e6 / Stopwatch.Frequency, 1),
            Math.Round((double)counters.AllocatedBytes / calls, 0),
            Math.Round((double)counters.ThreadPoolItems / calls, 2),
            Math.Round((double)counters.LockContentions / calls, 3),
            Math.Round(counters.BenchCpuSeconds * 1e6 / calls, 1),
            Math.Round(counters.SiloCpuSeconds * 1e6 / calls, 1),
            Math.Round(counters.PythonCpuSeconds * 1e6 / calls, 1),
            rounds.Count,
            new ContextSwitchesPerCall(
                PerCall(counters.BenchSwitches.Total), PerCall(counters.BenchSwitches.Involuntary),
                PerCall(counters.SiloSwitches.Total), PerCall(counters.SiloSwitches.Involuntary),
                PerCall(counters.PythonSwitches.Total), PerCall(counters.PythonSwitches.Involuntary)));

        double PerCall(long count) => Math.Round((double)count / calls, 2);
    }
}

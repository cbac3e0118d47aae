using System.Diagnostics.Metrics;
using DSPex.Orleans.Telemetry;

namespace DSPex.Orleans.Pool;

/// <summary>
/// The pool instruments of a silo, created once and shared by its pools: each measurement carries the pool's name
/// ("pool" tag, from configuration, never from a caller). Gauges read every pool's stats at a scrape.
/// </summary>
internal sealed class PoolInstruments
{
    public const string PoolTag = "pool";

    public PoolInstruments(DSPexInstruments instruments, SiloPools pools)
    {
        var meter = instruments.Meter;
        Duration = meter.CreateHistogram<double>(InstrumentNames.RequestDuration, "ms", "Time a request spent on a worker, by pool and command");
        Requests = meter.CreateCounter<long>(InstrumentNames.Requests, "{request}", "Requests run by the pools, by pool, command and outcome (error kind or ok)");
        Restarts = meter.CreateCounter<long>(InstrumentNames.WorkerRestarts, "{worker}", "Workers restarted after they died");
        Recycles = meter.CreateCounter<long>(InstrumentNames.WorkerRecycles, "{worker}", "Workers replaced by recycling (requests, age, memory)");
        HungKilled = meter.CreateCounter<long>(InstrumentNames.WorkersHungKilled, "{worker}", "Workers killed for missing heartbeats");
        meter.CreateObservableGauge(InstrumentNames.PoolWorkers, () => Each(pools, s => s.Workers), "{worker}", "Live workers in each of this silo's pools");
        meter.CreateObservableGauge(InstrumentNames.PoolBusy, () => Each(pools, s => s.Busy), "{worker}", "Workers running a request");
        meter.CreateObservableGauge(InstrumentNames.PoolQueued, () => Each(pools, s => s.Queued), "{request}", "Requests waiting for a worker");
        meter.CreateObservableGauge(InstrumentNames.PoolSize, () => Each(pools, s => s.Size), "{worker}", "Workers the pool runs now, starting ones included (an elastic pool's current size)");
        meter.CreateObservableGauge(InstrumentNames.PoolMinSize, () => Each(pools, s => s.MinSize), "{worker}", "Workers the pool keeps however idle");
        meter.CreateObservableGauge(InstrumentNames.PoolMaxSize, () => Each(pools, s => s.MaxSize), "{worker}", "Workers the pool grows to at most");
    }

    public Histogram<double> Duration { get; }

    public Counter<long> Requests { get; }

    public Counter<long> Restarts { get; }

    public Counter<long> Recycles { get; }

    public Counter<long> HungKilled { get; }

    /// <summary>The metrics of one pool, recording into these instruments under its name.</summary>
    public PoolMetrics For(LocalWorkerPool pool) => new(this, pool);

    private static IEnumerable<Measurement<int>> Each(SiloPools pools, Func<Contracts.PoolStats, int> value) =>
        pools.All.Select(p => new Measurement<int>(value(p.GetStats()), new KeyValuePair<string, object?>(PoolTag, p.Name)));
}

using System.Diagnostics.Metrics;
using DSPex.Orleans.Contracts;
using DSPex.Orleans.Pool;

namespace DSPex.Orleans.Telemetry;

/// <summary>
/// The pool's instruments: worker counts, queue depth, request latency by command (a bounded label set), errors by
/// kind, restarts, recycles and hung workers killed.
/// </summary>
internal sealed class PoolMetrics
{
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _requests;
    private readonly Counter<long> _restarts;
    private readonly Counter<long> _recycles;
    private readonly Counter<long> _hung;

    private readonly CommandLabels _labels = new();

    internal PoolMetrics(DSPexInstruments instruments, LocalWorkerPool pool)
    {
        pool.ProcessAttached += process => _labels.Learn(process.Commands);
        var meter = instruments.Meter;
        _duration = meter.CreateHistogram<double>(InstrumentNames.RequestDuration, "ms", "Time a request spent on a worker, by command");
        _requests = meter.CreateCounter<long>(InstrumentNames.Requests, "{request}", "Requests run by the pool, by command and outcome (error kind or ok)");
        _restarts = meter.CreateCounter<long>(InstrumentNames.WorkerRestarts, "{worker}", "Workers restarted after they died");
        _recycles = meter.CreateCounter<long>(InstrumentNames.WorkerRecycles, "{worker}", "Workers replaced by recycling (requests, age, memory)");
        _hung = meter.CreateCounter<long>(InstrumentNames.WorkersHungKilled, "{worker}", "Workers killed for missing heartbeats");
        meter.CreateObservableGauge(InstrumentNames.PoolWorkers, () => pool.GetStats().Workers, "{worker}", "Live workers in this silo's pool");
        meter.CreateObservableGauge(InstrumentNames.PoolBusy, () => pool.GetStats().Busy, "{worker}", "Workers running a request");
        meter.CreateObservableGauge(InstrumentNames.PoolQueued, () => pool.GetStats().Queued, "{request}", "Requests waiting for a worker");
    }

    /// <summary>Records a request under a label from a bounded set (see <see cref="CommandLabels"/>), never the caller's text.</summary>
    public void RecordRequest(string command, ProgramCall? program, DSPexErrorKind? error, TimeSpan elapsed)
    {
        var commandTag = new KeyValuePair<string, object?>("command", _labels.For(command, program, error is null));
        _duration.Record(elapsed.TotalMilliseconds, commandTag);
        _requests.Add(1, commandTag, new KeyValuePair<string, object?>("outcome", error?.ToString() ?? "ok"));
    }

    public void WorkerRestarted() => _restarts.Add(1);

    public void WorkerRecycled() => _recycles.Add(1);

    public void HungWorkerKilled() => _hung.Add(1);
}

using System.Diagnostics.Metrics;
using DSPex.Orleans.Contracts;
using DSPex.Orleans.Pool;

namespace DSPex.Orleans.Telemetry;

/// <summary>
/// The pool's instruments on the "DSPex.Orleans" meter (System.Diagnostics.Metrics): worker counts, queue depth,
/// request latency by command (a bounded label set), errors by kind, restarts, recycles and hung workers killed.
/// </summary>
public sealed class PoolMetrics
{
    public const string MeterName = "DSPex.Orleans";

    private readonly Histogram<double> _duration;
    private readonly Counter<long> _requests;
    private readonly Counter<long> _restarts;
    private readonly Counter<long> _recycles;
    private readonly Counter<long> _hung;

    private readonly CommandLabels _labels = new();

    public PoolMetrics(IMeterFactory meters, LocalWorkerPool pool)
    {
        pool.ProcessAttached += process => _labels.Learn(process.Commands);
        var meter = meters.Create(MeterName);
        _duration = meter.CreateHistogram<double>("dspex.request.duration", "ms", "Time a request spent on a worker, by command");
        _requests = meter.CreateCounter<long>("dspex.requests", "{request}", "Requests run by the pool, by command and outcome (error kind or ok)");
        _restarts = meter.CreateCounter<long>("dspex.worker.restarts", "{worker}", "Workers restarted after they died");
        _recycles = meter.CreateCounter<long>("dspex.worker.recycles", "{worker}", "Workers replaced by recycling (requests, age, memory)");
        _hung = meter.CreateCounter<long>("dspex.worker.hung_killed", "{worker}", "Workers killed for missing heartbeats");
        meter.CreateObservableGauge("dspex.pool.workers", () => pool.GetStats().Workers, "{worker}", "Live workers in this silo's pool");
        meter.CreateObservableGauge("dspex.pool.busy", () => pool.GetStats().Busy, "{worker}", "Workers running a request");
        meter.CreateObservableGauge("dspex.pool.queued", () => pool.GetStats().Queued, "{request}", "Requests waiting for a worker");
        meter.CreateObservableGauge("dspex.sessions.active", () => SessionActivations.Count, "{session}", "Session grains active on this silo");
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

/// <summary>Counts session grains active in this process, for the sessions gauge.</summary>
public static class SessionActivations
{
    private static int _count;

    public static int Count => Volatile.Read(ref _count);

    public static void Activated() => Interlocked.Increment(ref _count);

    public static void Deactivated() => Interlocked.Decrement(ref _count);
}

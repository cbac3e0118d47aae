using DSPex.Orleans.Contracts;
using DSPex.Orleans.Telemetry;

namespace DSPex.Orleans.Pool;

/// <summary>
/// One pool's measurements: request latency by command (a bounded label set learned from this pool's workers),
/// errors by kind, restarts, recycles and hung workers killed, each tagged with the pool's name.
/// </summary>
internal sealed class PoolMetrics
{
    private readonly PoolInstruments _instruments;
    private readonly KeyValuePair<string, object?> _pool;
    private readonly CommandLabels _labels = new();

    internal PoolMetrics(PoolInstruments instruments, LocalWorkerPool pool)
    {
        _instruments = instruments;
        _pool = new KeyValuePair<string, object?>(PoolInstruments.PoolTag, pool.Name);
        pool.ProcessAttached += process => _labels.Learn(process.Commands);
    }

    /// <summary>Records a request under a label from a bounded set (see <see cref="CommandLabels"/>), never the caller's text.</summary>
    public void RecordRequest(string command, ProgramCall? program, DSPexErrorKind? error, TimeSpan elapsed)
    {
        var commandTag = new KeyValuePair<string, object?>("command", _labels.For(command, program, error is null));
        _instruments.Duration.Record(elapsed.TotalMilliseconds, _pool, commandTag);
        _instruments.Requests.Add(1, _pool, commandTag, new KeyValuePair<string, object?>("outcome", error?.ToString() ?? "ok"));
    }

    public void WorkerRestarted() => _instruments.Restarts.Add(1, _pool);

    public void WorkerRecycled() => _instruments.Recycles.Add(1, _pool);

    public void HungWorkerKilled() => _instruments.HungKilled.Add(1, _pool);
}

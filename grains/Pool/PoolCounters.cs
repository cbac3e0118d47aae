using DSPex.Orleans.Contracts;

namespace DSPex.Orleans.Pool;

/// <summary>What a pool counts over its life, updated without its lock and read together for <see cref="PoolStats"/>.</summary>
internal sealed class PoolCounters
{
    private long _served, _errors, _restarts, _queueTimeouts, _saturated, _recycles, _hungKilled, _retries, _scaledUp, _scaledDown;

    public void Replied(bool succeeded) => Interlocked.Increment(ref succeeded ? ref _served : ref _errors);

    public void Restarted() => Interlocked.Increment(ref _restarts);

    public void QueueTimedOut() => Interlocked.Increment(ref _queueTimeouts);

    public void Saturated() => Interlocked.Increment(ref _saturated);

    public void Recycled() => Interlocked.Increment(ref _recycles);

    public void HungKilled() => Interlocked.Increment(ref _hungKilled);

    public void Retried() => Interlocked.Increment(ref _retries);

    public void ScaledUp(int workers) => Interlocked.Add(ref _scaledUp, workers);

    public void ScaledDown() => Interlocked.Increment(ref _scaledDown);

    public PoolStats ToStats(string silo, int size, IReadOnlyList<WorkerInfo> workers, int queued) => new(
        silo,
        size,
        workers.Count(w => w.State is "idle" or "busy"),
        workers.Count(w => w.InFlight > 0),
        queued,
        Interlocked.Read(ref _served),
        Interlocked.Read(ref _errors),
        Interlocked.Read(ref _restarts),
        Interlocked.Read(ref _queueTimeouts),
        Interlocked.Read(ref _saturated),
        workers,
        Recycles: Interlocked.Read(ref _recycles),
        HungWorkersKilled: Interlocked.Read(ref _hungKilled),
        Retries: Interlocked.Read(ref _retries))
    {
        ScaledUp = Interlocked.Read(ref _scaledUp),
        ScaledDown = Interlocked.Read(ref _scaledDown),
    };
}

namespace DSPex.Orleans.Workers.Timing;

/// <summary>
/// One timer for many deadlines (calls in flight on a worker, requests queued for one), instead of a timer per
/// call. It is armed at the earliest deadline it was told of; when it fires, its owner sweeps what it holds,
/// answers what is due and tells it the earliest deadline still pending. With equal timeouts a new deadline is
/// never earlier than the armed one, so a call costs one comparison, and the timer fires about once per timeout.
/// Times are <see cref="Environment.TickCount64"/> milliseconds, the clock the runtime's timers use.
/// </summary>
internal sealed class DeadlineTimer : IDisposable
{
    // Timer.Change takes at most 0xfffffffe ms (about 49 days); a later deadline is swept then and re-armed.
    private const long MaxDueMs = 0xfffffffe;

    private readonly object _gate = new();
    private readonly Timer _timer;
    private readonly Action _sweep;
    private long _armedAt = long.MaxValue;
    private bool _disposed;

    /// <param name="sweep">Runs on a thread-pool thread when the timer fires; it must call <see cref="Track"/> with the earliest deadline still pending.</param>
    public DeadlineTimer(Action sweep)
    {
        _sweep = sweep;
        // The timer must not capture the async-local state (trace, request context) of whichever call created it.
        using (ExecutionContext.SuppressFlow())
        {
            _timer = new Timer(static state => ((DeadlineTimer)state!).Fire(), this, Timeout.Infinite, Timeout.Infinite);
        }
    }

    public static long Now => Environment.TickCount64;

    /// <summary>The deadline <paramref name="timeout"/> from now; long.MaxValue for an infinite one.</summary>
    public static long DeadlineIn(TimeSpan timeout) =>
        timeout == Timeout.InfiniteTimeSpan || timeout.TotalMilliseconds >= long.MaxValue / 2
            ? long.MaxValue
            : Now + (long)Math.Ceiling(timeout.TotalMilliseconds);

    /// <summary>Makes sure the timer fires by <paramref name="dueAt"/> (long.MaxValue: nothing to do).</summary>
    public void Track(long dueAt)
    {
        if (dueAt >= Volatile.Read(ref _armedAt))
        {
            return;
        }

        lock (_gate)
        {
            if (_disposed || dueAt >= _armedAt)
            {
                return;
            }

            _armedAt = dueAt;
            _timer.Change(Math.Clamp(dueAt - Now, 0, MaxDueMs), Timeout.Infinite);
        }
    }

    private void Fire()
    {
        lock (_gate)
        {
            // From here a new deadline re-arms the timer; the sweep below sees every one tracked before.
            _armedAt = long.MaxValue;
        }

        _sweep();
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _armedAt = long.MinValue;
        }

        _timer.Dispose();
    }
}

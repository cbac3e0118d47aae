namespace DSPex.Orleans.Pool;

/// <summary>
/// Tells the health loop when the gap since its previous tick shows that the silo itself was not running: stopped
/// (SIGSTOP, a frozen container, a debugger) or starved far past the loop's period. Heartbeat ages are measured on a
/// monotonic clock that runs on while the silo is stopped, so without this a silo resumed after 40 s took every
/// healthy worker for hung (its answers sat unread in the pipe) and killed them all. Time the silo could not listen is
/// not the workers' fault: after such a gap the loop restarts their heartbeat deadlines instead of charging it.
/// A gap up to <c>tolerance</c> past the period is charged as usual, so a pause can add at most that to a hung
/// worker's time to be killed. Pure logic: the caller gives the clock.
/// </summary>
internal sealed class SiloPauseDetector(TimeSpan interval, TimeSpan tolerance)
{
    private long _previousTickMs = -1;

    /// <summary>Records a tick at <paramref name="nowMs"/> (monotonic milliseconds); returns the gap when it was a pause, else null.</summary>
    public TimeSpan? Tick(long nowMs)
    {
        var previous = _previousTickMs;
        _previousTickMs = nowMs;
        if (previous < 0)
        {
            return null;
        }

        var gap = TimeSpan.FromMilliseconds(nowMs - previous);
        return gap > interval + tolerance ? gap : null;
    }

    /// <summary>The part of the heartbeat timeout a pause may take before deadlines restart: half of it.</summary>
    public static TimeSpan ToleranceFor(TimeSpan heartbeatTimeout) => heartbeatTimeout / 2;
}

namespace DSPex.Orleans.Pool;

/// <summary>
/// Tells the health loop when the gap since its previous tick shows that the silo itself was not running: stopped
/// (SIGSTOP, a frozen container, a debugger) or starved far past the loop's period. Heartbeat ages are measured on a
/// monotonic clock that runs on while the silo is stopped, so without this a silo resumed after 40 s took every
/// healthy worker for hung (its answers sat unread in the pipe) and killed them all. Time the silo could not listen is
/// not the workers' fault: after such a gap the loop restarts their heartbeat deadlines instead of charging it.
/// A gap up to <c>tolerance</c> past the period is charged as usual, so a pause can add at most that to a hung
/// worker's time to be killed. The loop's start counts as its tick zero: a silo stopped before its first tick (right
/// after the warm-up) was a pause like any other, and it was missed when the first tick had nothing to measure from.
/// Pure logic: the caller gives the clock.
/// </summary>
/// <param name="interval">The loop's period.</param>
/// <param name="tolerance">How late past the period a tick may be and still be charged as usual.</param>
/// <param name="startedMs">The loop's start, on the clock the ticks give (monotonic milliseconds).</param>
internal sealed class SiloPauseDetector(TimeSpan interval, TimeSpan tolerance, long startedMs)
{
    private long _previousTickMs = startedMs;

    /// <summary>Records a tick at <paramref name="nowMs"/> (monotonic milliseconds); returns the gap when it was a pause, else null.</summary>
    public TimeSpan? Tick(long nowMs)
    {
        var previous = _previousTickMs;
        _previousTickMs = nowMs;
        var gap = TimeSpan.FromMilliseconds(nowMs - previous);
        return gap > interval + tolerance ? gap : null;
    }

    /// <summary>The part of the heartbeat timeout a pause may take before deadlines restart: half of it.</summary>
    public static TimeSpan ToleranceFor(TimeSpan heartbeatTimeout) => heartbeatTimeout / 2;
}

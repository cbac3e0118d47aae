namespace DSPex.Orleans.Security;

/// <summary>
/// Keeps refused authentications from flooding the silo log: at most one line per <see cref="Interval"/>, the line
/// counting the refusals that went unlogged since the previous one. A client sending thousands of wrong keys a
/// second costs the log a line per interval, and an operator still sees that it is happening and how much.
/// </summary>
internal sealed class RefusalLogThrottle(TimeProvider time)
{
    /// <summary>The shortest time between two logged refusals.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    private readonly Lock _lock = new();
    private long? _lastLogged;
    private long _unlogged;

    /// <summary>True when this refusal is to be logged; then <paramref name="unloggedBefore"/> is how many were not since the last line.</summary>
    public bool ShouldLog(out long unloggedBefore)
    {
        lock (_lock)
        {
            var now = time.GetTimestamp();
            if (_lastLogged is { } last && time.GetElapsedTime(last, now) < Interval)
            {
                _unlogged++;
                unloggedBefore = 0;
                return false;
            }

            unloggedBefore = _unlogged;
            _unlogged = 0;
            _lastLogged = now;
            return true;
        }
    }
}

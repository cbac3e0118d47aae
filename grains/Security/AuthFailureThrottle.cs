using System.Collections.Concurrent;
using DSPex.Orleans.Configuration;
using Microsoft.Extensions.Options;

namespace DSPex.Orleans.Security;

/// <summary>
/// Refuses a connection that keeps presenting wrong API keys: after <see cref="DSPexSecurityOptions.AuthFailureLimit"/>
/// failed authentications within <see cref="DSPexSecurityOptions.AuthFailureWindow"/>, every call on that connection
/// is refused (Unauthenticated, saying so) for one window, without its key being hashed or looked at, so guessing keys
/// costs the guesser a window per few attempts and the silo almost nothing. A connection is a gateway client (its
/// client id, fixed for the life of its connection) or an HTTP connection; other connections are not affected.
/// What is remembered is bounded (<see cref="MaxTracked"/> connections; the oldest windows are dropped first).
/// </summary>
internal sealed class AuthFailureThrottle(IOptions<DSPexSecurityOptions> options, TimeProvider time)
{
    /// <summary>How many connections with recent failures are remembered at most.</summary>
    public const int MaxTracked = 10_000;

    private readonly ConcurrentDictionary<string, Failures> _connections = new(StringComparer.Ordinal);

    /// <summary>How many connections are remembered now.</summary>
    public int Tracked => _connections.Count;

    private bool Enabled => options.Value.AuthFailureLimit > 0;

    /// <summary>True while the connection is refused; then <paramref name="retryAfter"/> is how long it stays refused.</summary>
    public bool IsRefused(string connection, out TimeSpan retryAfter)
    {
        retryAfter = TimeSpan.Zero;
        if (!Enabled || !_connections.TryGetValue(connection, out var failures))
        {
            return false;
        }

        lock (failures)
        {
            var now = time.GetTimestamp();
            if (failures.RefusedUntil is { } until && now < until)
            {
                retryAfter = time.GetElapsedTime(now, until);
                return true;
            }

            return false;
        }
    }

    /// <summary>Counts a failed authentication on the connection; true when this one starts its refusal.</summary>
    public bool RecordFailure(string connection)
    {
        if (!Enabled)
        {
            return false;
        }

        var window = options.Value.AuthFailureWindow;
        if (_connections.Count >= MaxTracked)
        {
            Trim(window);
        }

        var failures = _connections.GetOrAdd(connection, _ => new Failures());
        lock (failures)
        {
            var now = time.GetTimestamp();
            if (failures.WindowStart is not { } start || time.GetElapsedTime(start, now) > window)
            {
                failures.WindowStart = now;
                failures.Count = 0;
            }

            failures.Count++;
            if (failures.Count >= options.Value.AuthFailureLimit)
            {
                // Refused for one window; counting starts afresh after it.
                failures.RefusedUntil = now + (long)(window.TotalSeconds * time.TimestampFrequency);
                failures.WindowStart = null;
                failures.Count = 0;
                return true;
            }

            return false;
        }
    }

    /// <summary>What a refused connection is told (no key, no count of anything but its own failures).</summary>
    public string RefusalMessage(TimeSpan retryAfter) =>
        $"this connection presented {options.Value.AuthFailureLimit} wrong API keys within {options.Value.AuthFailureWindow}; "
        + $"it is refused for another {Math.Ceiling(retryAfter.TotalSeconds)} s (other connections are not affected)";

    /// <summary>A connection that closed (or authenticated) leaves nothing behind.</summary>
    public void Forget(string connection) => _connections.TryRemove(connection, out _);

    private void Trim(TimeSpan window)
    {
        var now = time.GetTimestamp();
        foreach (var (connection, failures) in _connections)
        {
            lock (failures)
            {
                var refused = failures.RefusedUntil is { } until && now < until;
                var counting = failures.WindowStart is { } start && time.GetElapsedTime(start, now) <= window;
                if (!refused && !counting)
                {
                    _connections.TryRemove(connection, out _);
                }
            }
        }

        if (_connections.Count >= MaxTracked)
        {
            // Still full of live windows: a flood from very many connections. Forgetting them lets those guess again
            // sooner, which costs the silo nothing it was not already paying; remembering without bound would.
            _connections.Clear();
        }
    }

    private sealed class Failures
    {
        public long? WindowStart;
        public int Count;
        public long? RefusedUntil;
    }
}

using System.Collections.Concurrent;
using DSPex.Orleans.Contracts;

namespace DSPex.Orleans.Calls;

/// <summary>
/// The client calls this gateway silo is running, and those it finished lately (see <see cref="CallTracking"/>).
/// A call without an id (an in-silo caller, or a client that does not track its calls) is not recorded.
/// </summary>
public sealed class CallTracker(TimeProvider clock)
{
    /// <summary>How long a finished call is remembered: longer than a client needs to notice a lost reply.</summary>
    public static readonly TimeSpan CompletedRetention = TimeSpan.FromMinutes(2);

    private readonly ConcurrentDictionary<Guid, byte> _running = new();
    private readonly ConcurrentDictionary<Guid, long> _completed = new();
    private readonly ConcurrentQueue<(Guid Id, long At)> _completedOrder = new();

    /// <summary>Records the call as running until the returned scope is disposed.</summary>
    public Scope Begin(Guid id)
    {
        if (id == Guid.Empty)
        {
            return default;
        }

        _running[id] = 0;
        return new Scope(this, id);
    }

    public CallState StateOf(Guid id) =>
        _running.ContainsKey(id) ? CallState.Running : _completed.ContainsKey(id) ? CallState.Completed : CallState.Unknown;

    public CallState[] StatesOf(Guid[] ids) => Array.ConvertAll(ids, StateOf);

    private void End(Guid id)
    {
        var now = clock.GetTimestamp();
        _completed[id] = now;
        _running.TryRemove(id, out _);
        _completedOrder.Enqueue((id, now));
        ForgetOldCompletions(now);
    }

    private void ForgetOldCompletions(long now)
    {
        while (_completedOrder.TryPeek(out var oldest) && clock.GetElapsedTime(oldest.At, now) > CompletedRetention)
        {
            if (_completedOrder.TryDequeue(out oldest))
            {
                // A repeated id (a retried call) keeps its newest completion.
                _completed.TryRemove(new KeyValuePair<Guid, long>(oldest.Id, oldest.At));
            }
        }
    }

    public readonly struct Scope(CallTracker? tracker, Guid id) : IDisposable
    {
        public void Dispose() => tracker?.End(id);
    }
}

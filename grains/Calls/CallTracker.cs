using System.Collections.Concurrent;
using DSPex.Orleans.Contracts;

namespace DSPex.Orleans.Calls;

/// <summary>
/// The client calls this gateway silo is running (see <see cref="CallTracking"/>). Only running calls are kept, so
/// memory follows the calls in flight, not the call rate. A call without an id (an in-silo caller, or a client
/// that does not track its calls) is not recorded.
/// </summary>
internal sealed class CallTracker
{
    private readonly ConcurrentDictionary<Guid, byte> _running = new();

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

    public CallState StateOf(Guid id) => _running.ContainsKey(id) ? CallState.Running : CallState.Unknown;

    public CallState[] StatesOf(Guid[] ids) => Array.ConvertAll(ids, StateOf);

    public readonly struct Scope(CallTracker? tracker, Guid id) : IDisposable
    {
        public void Dispose() => tracker?._running.TryRemove(id, out _);
    }
}

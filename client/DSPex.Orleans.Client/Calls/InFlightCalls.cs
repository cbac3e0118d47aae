using System.Collections.Concurrent;

namespace DSPex.Orleans.Client.Calls;

/// <summary>The client's execute calls in flight, by id: what the limit sweep and the gateway-loss check look at.</summary>
internal sealed class InFlightCalls
{
    private readonly ConcurrentDictionary<Guid, TrackedCall> _calls = new();

    public int Count => _calls.Count;

    public bool IsEmpty => _calls.IsEmpty;

    public void Add(TrackedCall call) => _calls[call.Id] = call;

    public void Remove(TrackedCall call) => _calls.TryRemove(call.Id, out _);

    public bool Contains(Guid id) => _calls.ContainsKey(id);

    /// <summary>The calls in flight now; calls added or removed while it is enumerated may or may not be in it.</summary>
    public IEnumerable<TrackedCall> Current => _calls.Values;
}

namespace DSPex.Orleans.Workers.Scaling;

/// <summary>
/// Decides when an elastic pool grows and shrinks, from observations and a clock reading, with no process or timer in
/// it (the pool's health loop feeds it once a tick and carries out what it decides). Its rules:
/// <list type="bullet">
/// <item>Grow when requests have been waiting (or every worker busy) for <see cref="ScalePolicy.GrowAfter"/>: by as
/// many workers as the queue needs, less those already starting, at least one, never past the maximum. After a grow
/// the pressure must last another <see cref="ScalePolicy.GrowAfter"/> before the next one, so the newcomers can start.</item>
/// <item>Shrink by retiring workers idle for <see cref="ScalePolicy.IdleTimeout"/>, longest idle first, never below the
/// minimum, and only when the pool has seen no pressure for that long either.</item>
/// </list>
/// The hysteresis between the two (pressure held a while to grow; a long calm and a long idle to shrink) keeps a
/// steady load from flapping: the pool's free list hands work to the worker idle longest, so under a steady load
/// every worker it needs gets work before its idle timeout, and a worker idle that long is one the load does not need.
/// Not thread-safe: one health loop calls it.
/// </summary>
internal sealed class PoolScaler(ScalePolicy policy)
{
    private long? _pressureSinceMs;
    private long? _lastPressureMs;

    public ScalePolicy Policy => policy;

    /// <param name="observation">The pool now.</param>
    /// <param name="nowMs">The one clock reading (<see cref="Environment.TickCount64"/>) every age in this decision is judged at.</param>
    public ScaleDecision Decide(ScaleObservation observation, long nowMs)
    {
        if (!policy.IsElastic)
        {
            return ScaleDecision.None;
        }

        if (!observation.UnderPressure)
        {
            _pressureSinceMs = null;
            return Shrink(observation, nowMs);
        }

        _lastPressureMs = nowMs;
        // Pressure first seen now began when its oldest waiting request was queued (before this tick, maybe); once
        // seen, it runs from then, or from the last grow (its newcomers get their while to start).
        var since = _pressureSinceMs ?? Math.Min(nowMs, observation.OldestQueuedAtMs ?? nowMs);
        _pressureSinceMs = since;
        return nowMs - since >= (long)policy.GrowAfter.TotalMilliseconds ? Grow(observation, nowMs) : ScaleDecision.None;
    }

    private ScaleDecision Grow(ScaleObservation observation, long nowMs)
    {
        var queueNeeds = Math.Max(1, (observation.Queued + policy.Concurrency - 1) / policy.Concurrency);
        var grow = Math.Min(queueNeeds - observation.Starting, policy.MaxSize - observation.Active);
        if (grow <= 0)
        {
            return ScaleDecision.None;
        }

        // The next grow needs pressure for another while, with these started.
        _pressureSinceMs = nowMs;
        return new ScaleDecision(grow, []);
    }

    private ScaleDecision Shrink(ScaleObservation observation, long nowMs)
    {
        var idleTimeout = (long)policy.IdleTimeout.TotalMilliseconds;
        var room = observation.Active - policy.MinSize;
        if (room <= 0 || (_lastPressureMs is { } last && nowMs - last < idleTimeout))
        {
            return ScaleDecision.None;
        }

        var retire = observation.IdleSlots
            .Where(slot => nowMs - slot.IdleSinceMs >= idleTimeout)
            .OrderBy(slot => slot.IdleSinceMs)
            .ThenBy(slot => slot.Slot)
            .Take(room)
            .Select(slot => slot.Slot)
            .ToList();
        return retire.Count == 0 ? ScaleDecision.None : new ScaleDecision(0, retire);
    }
}

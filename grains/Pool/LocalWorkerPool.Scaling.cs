using DSPex.Orleans.Workers.Scaling;

namespace DSPex.Orleans.Pool;

/// <summary>
/// An elastic pool's growth and shrink, carried out on the health loop's tick from what its <see cref="PoolScaler"/>
/// decides. Growing activates parked slots and starts them all at once, as the warm-up does; shrinking retires idle
/// slots (no new work from that moment, under the scheduler's lock) and their supervisors stop them with the usual
/// grace. Recycling, restarts and the process-safety rules are the supervisors' as for any slot.
/// </summary>
internal sealed partial class LocalWorkerPool
{
    /// <summary>The pool can change size (MinSize below MaxSize).</summary>
    internal bool IsElastic => _scaler.Policy.IsElastic;

    /// <param name="nowMs">The tick's one clock reading: every wait and idle age is judged at it.</param>
    private void Scale(long nowMs)
    {
        if (!IsElastic || IsDraining)
        {
            return;
        }

        try
        {
            var decision = _scaler.Decide(_scheduler.Observe(), nowMs);
            foreach (var slot in decision.Retire)
            {
                // Null when a request took the slot since the observation: it stays.
                if (_scheduler.Retire(slot) is { } worker)
                {
                    _counters.ScaledDown();
                    _supervisors[slot].Retire(worker);
                }
            }

            if (decision.Grow > 0)
            {
                Grow(decision.Grow);
            }
        }
        catch (Exception e)
        {
            Log.ScalingFailed(_logger, e, Name);
        }
    }

    private void Grow(int workers)
    {
        var slots = _scheduler.Activate(workers);
        if (slots.Count == 0)
        {
            return; // every slot is active, or retiring ones have not exited yet: the next tick tries again
        }

        _counters.ScaledUp(slots.Count);
        Log.Growing(_logger, Name, Silo, slots.Count, _scheduler.ActiveCount, _options.EffectiveMaxSize);
        // Started together; a failed start is retried with the back-off like any slot's (StartAsync records it).
        _background.Run($"growth of pool {Name}", () => Task.WhenAll(slots.Select(slot => _supervisors[slot].StartAsync(retryInBackground: true))));
    }
}

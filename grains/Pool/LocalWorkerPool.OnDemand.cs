namespace DSPex.Orleans.Pool;

/// <summary>
/// A named pool of minimum 0 starts on demand: with no worker (idle past its timeout, or never started) the first call
/// that queues starts one at once, instead of waiting for <c>ScaleUpAfter</c> and the next health tick, and waits for it
/// within its queue timeout. Concurrent first calls start one worker (the scheduler activates a slot only while none is
/// active); the health loop's scaler grows past it if the queue needs more. A start that fails fails the calls waiting
/// for it at once with WorkerStartFailed and parks the slot again, so the next call tries a fresh start (no background
/// retries for a pool nobody calls).
/// </summary>
internal sealed partial class LocalWorkerPool
{
    /// <summary>The pool keeps no worker while idle and starts one for the first call (a named pool with MinSize 0).</summary>
    internal bool StartsOnDemand => _options.EffectiveMinSize == 0;

    private void StartOnDemand()
    {
        if (!StartsOnDemand || !_warm || IsDraining || _scheduler.ActivateFirst() is not { } slot)
        {
            return;
        }

        _counters.ScaledUp(1);
        Log.Growing(_logger, Name, Silo, 1, _scheduler.ActiveCount, _options.EffectiveMaxSize);
        _background.Run($"on-demand start of pool {Name}", () => StartOnDemandAsync(slot));
    }

    private async Task StartOnDemandAsync(int slot)
    {
        try
        {
            await _supervisors[slot].StartAsync(retryInBackground: false);
        }
        catch (Exception e) when (!_stopping)
        {
            // Recorded by the supervisor (log, the slot's and the pool's last start error). Park first, then fail the
            // waiters: a call that queues after this starts afresh instead of waiting on a slot nobody restarts.
            var error = e.Message.Split('\n', 2)[0];
            _scheduler.Park(slot);
            foreach (var waiter in _scheduler.GeneralWaiters())
            {
                waiter.AbandonForFailedStart(error);
            }
        }
        catch (Exception) when (_stopping)
        {
            // The pool stops: its waiters are failed by StopAsync.
        }
    }
}

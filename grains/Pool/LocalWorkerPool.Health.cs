using DSPex.Orleans.Workers.Python;
using DSPex.Orleans.Workers.Scheduling;
using DSPex.Orleans.Workers.Supervision;

namespace DSPex.Orleans.Pool;

/// <summary>The health loop that ticks the supervisors and the elastic pool's scaler, recycling when a request count is reached, and drain.</summary>
internal sealed partial class LocalWorkerPool
{
    /// <summary>
    /// Stops taking new work (callers get SiloUnavailable, and the router sends them to other silos), then waits
    /// up to <paramref name="timeout"/> for the requests in flight and queued to finish, or until the silo's stop
    /// can wait no longer (<paramref name="cancellationToken"/>).
    /// </summary>
    internal async Task<bool> DrainAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        _draining = true;
        _scheduler.BeginDrain();
        if (_scheduler.IsIdle())
        {
            return true;
        }

        try
        {
            await _drained.Task.WaitAsync(timeout, cancellationToken);
            return true;
        }
        catch (Exception e) when (e is TimeoutException || (e is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            Log.DrainTimedOut(_logger, Name, Silo, timeout);
            return false;
        }
    }

    /// <summary>The worker's request count reached its limit and it is idle: its supervisor replaces it.</summary>
    private void Recycle(WorkerSlot<PythonProcess> slot, PythonProcess process) => _supervisors[slot.Index].Recycle(process);

    /// <summary>
    /// The clock of the supervisors' health checks (heartbeat, hung kill, memory sample, age and memory recycling: see
    /// <see cref="WorkerSupervisor{TWorker}.CheckHealth"/>), one timer for the pool. It tells them when the silo itself was
    /// not running meanwhile (<see cref="SiloPauseDetector"/>). A check that throws is logged and the loop carries on
    /// with the next worker and tick.
    /// </summary>
    private async Task MonitorHealthAsync(CancellationToken cancellationToken)
    {
        var pauses = new SiloPauseDetector(_options.HeartbeatInterval, SiloPauseDetector.ToleranceFor(_options.HeartbeatTimeout), Environment.TickCount64);
        using var timer = new PeriodicTimer(_options.HeartbeatInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                // One clock reading for the whole tick: the pause detector and every heartbeat age judge the same instant.
                var now = Environment.TickCount64;
                var pause = pauses.Tick(now);
                if (pause is { } gap)
                {
                    Log.SiloWasPaused(_logger, Name, (long)gap.TotalMilliseconds);
                }

                for (var slot = 0; slot < _scheduler.Size; slot++)
                {
                    try
                    {
                        _supervisors[slot].CheckHealth(now, siloWasPaused: pause is not null);
                    }
                    catch (Exception e)
                    {
                        Log.HealthCheckFailed(_logger, e, _scheduler.WorkerIdOf(slot));
                    }
                }

                Scale(now);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}

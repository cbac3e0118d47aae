using DSPex.Orleans.Grains;
using DSPex.Orleans.Processes;
using DSPex.Orleans.Workers.Scheduling;

namespace DSPex.Orleans.Pool;

/// <summary>Heartbeats, hung-worker kills, memory samples, recycling and drain.</summary>
public sealed partial class LocalWorkerPool
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

    private void Recycle(WorkerSlot<PythonProcess> slot, PythonProcess process) =>
        _background.Run($"recycling of worker {slot.WorkerId}", () => RecycleAsync(slot.WorkerId, process));

    /// <summary>The worker's grain starts the replacement first and stops the old process only once it is ready.</summary>
    private async Task RecycleAsync(string workerId, PythonProcess process)
    {
        _counters.Recycled();
        Metrics?.WorkerRecycled();
        Log.Recycling(_logger, workerId, process.Pid, process.ResidentBytes / 1048576);
        try
        {
            await _grainFactory.GetGrain<IWorkerGrain>(workerId).RecycleAsync(process.Pid);
        }
        catch (Exception e) when (!_stopping)
        {
            Log.RecycleFailed(_logger, e, workerId);
            process.Kill("recycling failed");
        }
    }

    /// <summary>
    /// Heartbeats every worker, samples its resident memory and checks its age and memory. A worker that has not
    /// answered for HeartbeatTimeout is hung (the bridge answers from its reader thread, so a busy one still
    /// answers), unless the silo itself was not running meanwhile (<see cref="SiloPauseDetector"/>). A check that throws is logged and the loop carries on with the next worker and tick.
    /// </summary>
    private async Task MonitorHealthAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_options.HeartbeatInterval);
        var pauses = new SiloPauseDetector(_options.HeartbeatInterval, SiloPauseDetector.ToleranceFor(_options.HeartbeatTimeout));
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                var pause = pauses.Tick(Environment.TickCount64);
                if (pause is { } gap)
                {
                    Log.SiloWasPaused(_logger, Name, (long)gap.TotalMilliseconds);
                }

                for (var slot = 0; slot < _scheduler.Size; slot++)
                {
                    try
                    {
                        if (pause is not null && _scheduler.LiveWorker(slot) is { } process)
                        {
                            process.Connection.MarkAlive(); // the pause was the silo's: the deadline starts again now
                        }

                        CheckHealth(slot);
                    }
                    catch (Exception e)
                    {
                        Log.HealthCheckFailed(_logger, e, _scheduler.WorkerIdOf(slot));
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void CheckHealth(int slot)
    {
        if (_scheduler.LiveWorker(slot) is not { } process)
        {
            return;
        }

        var connection = process.Connection;
        if (connection.SinceLastHeartbeat > _options.HeartbeatTimeout)
        {
            var reason = $"unresponsive: no heartbeat answer for {connection.SinceLastHeartbeat.TotalMilliseconds:0} ms (limit {_options.HeartbeatTimeout.TotalMilliseconds:0} ms); killed";
            // The exit is observed a little after SIGKILL; until then this check runs again and must not recount.
            if (process.Kill(reason))
            {
                _counters.HungKilled();
                Metrics?.HungWorkerKilled();
                Log.HungWorkerKilled(_logger, process.WorkerId, process.Pid, reason);
            }

            return;
        }

        connection.SendHeartbeat();
        var residentBytes = process.SampleResidentBytes();
        if (_recycle.IsDue(DateTimeOffset.UtcNow - process.StartedAt, residentBytes) && _scheduler.StartRecycling(slot, process))
        {
            _background.Run($"recycling of worker {process.WorkerId}", () => RecycleAsync(process.WorkerId, process));
        }
    }
}

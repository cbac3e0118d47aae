using DSPex.Orleans.Grains;
using DSPex.Orleans.Processes;
using Microsoft.Extensions.Logging;

namespace DSPex.Orleans.Pool;

/// <summary>Heartbeats, hung-worker kills, recycling and drain.</summary>
public sealed partial class LocalWorkerPool
{
    /// <summary>
    /// Stops taking new work (callers get SiloUnavailable, and the router sends them to other silos), then waits
    /// up to <paramref name="timeout"/> for the requests in flight and queued to finish.
    /// </summary>
    public async Task<bool> DrainAsync(TimeSpan timeout)
    {
        _draining = true;
        if (IsIdle())
        {
            return true;
        }

        try
        {
            await _drained.Task.WaitAsync(timeout);
            return true;
        }
        catch (TimeoutException)
        {
            _logger.LogWarning("Pool on {Silo} still had requests in flight after the drain timeout of {Timeout}", Silo, timeout);
            return false;
        }
    }

    /// <summary>The worker's grain starts the replacement first and stops the old process only once it is ready.</summary>
    private async Task RecycleAsync(WorkerSlot slot, PythonProcess process)
    {
        Interlocked.Increment(ref _recycles);
        Metrics?.WorkerRecycled();
        _logger.LogInformation("Recycling worker {WorkerId} (pid {Pid}, {Served} requests, {Rss} MiB)",
            slot.WorkerId, process.Pid, slot.ServedByProcess, process.ResidentBytes() / 1048576);
        try
        {
            await _grainFactory.GetGrain<IWorkerGrain>(slot.WorkerId).RecycleAsync(process.Pid);
        }
        catch (Exception e) when (!_stopping)
        {
            _logger.LogWarning("Recycling worker {WorkerId} failed: {Error}; it will be restarted", slot.WorkerId, e.Message);
            process.Kill("recycling failed");
        }
    }

    /// <summary>
    /// Heartbeats every worker and checks its age and memory. A worker that has not answered for
    /// HeartbeatTimeout is hung (the bridge answers from its reader thread, so a busy one still answers).
    /// </summary>
    private async Task MonitorHealthAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_options.HeartbeatInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                foreach (var slot in _slots)
                {
                    CheckHealth(slot);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void CheckHealth(WorkerSlot slot)
    {
        if (slot.Process is not { HasExited: false } process)
        {
            return;
        }

        if (process.SinceLastHeartbeat > _options.HeartbeatTimeout)
        {
            var reason = $"unresponsive: no heartbeat answer for {process.SinceLastHeartbeat.TotalMilliseconds:0} ms (limit {_options.HeartbeatTimeout.TotalMilliseconds:0} ms); killed";
            // The exit is observed a little after SIGKILL; until then this check runs again and must not recount.
            if (process.Kill(reason))
            {
                Interlocked.Increment(ref _hungKilled);
                Metrics?.HungWorkerKilled();
                _logger.LogWarning("Worker {WorkerId} (pid {Pid}) {Reason}", slot.WorkerId, process.Pid, reason);
            }

            return;
        }

        process.SendHeartbeat();
        var tooOld = _options.MaxWorkerAge is { } maxAge && DateTimeOffset.UtcNow - process.StartedAt > maxAge;
        var tooBig = _options.MaxWorkerResidentBytes > 0 && process.ResidentBytes() > _options.MaxWorkerResidentBytes;
        if (!tooOld && !tooBig)
        {
            return;
        }

        bool recycleNow;
        lock (_lock)
        {
            if (slot.Recycling || !ReferenceEquals(slot.Process, process))
            {
                return;
            }

            slot.Recycling = true;
            recycleNow = slot.InFlight == 0;
        }

        if (recycleNow)
        {
            _ = RecycleAsync(slot, process);
        }
    }
}

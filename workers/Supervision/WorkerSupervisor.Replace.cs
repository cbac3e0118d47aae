namespace DSPex.Orleans.Workers.Supervision;

/// <summary>Replacing and killing the worker: recycling, hung workers, requests their callers abandoned.</summary>
internal sealed partial class WorkerSupervisor<TWorker>
{
    /// <summary>
    /// Replaces the worker with <paramref name="pid"/> by a fresh one: the fresh one joins the pool before the old one
    /// is stopped. Does nothing when that worker is no longer the slot's, or the pool stops; throws when the fresh one
    /// cannot start (the old one then serves on).
    /// </summary>
    public async Task RecycleAsync(int pid)
    {
        TWorker old;
        await _turn.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_worker is not { } current || current.Pid != pid || IsStopping)
            {
                return;
            }

            old = current;
            await StartAndJoinAsync().ConfigureAwait(false);
        }
        finally
        {
            _turn.Release();
        }

        await old.StopAsync(_settings.StopGracePeriod).ConfigureAwait(false);
    }

    /// <summary>
    /// Recycles <paramref name="worker"/> in the background: the scheduler has stopped granting it (see
    /// CapacityScheduler.StartRecycling) and it is idle. When the fresh one cannot start, the old
    /// one is killed, so the slot is restarted with the back-off rather than kept by a worker that takes no work.
    /// </summary>
    public void Recycle(TWorker worker) => _background.Run($"recycling of worker {WorkerId}", () => RecycleInBackgroundAsync(worker));

    private async Task RecycleInBackgroundAsync(TWorker worker)
    {
        _listener.Recycling();
        Log.Recycling(_logger, WorkerId, worker.Pid, worker.ResidentBytes / 1048576);
        try
        {
            await RecycleAsync(worker.Pid).ConfigureAwait(false);
        }
        catch (Exception e) when (!IsStopping)
        {
            Log.RecycleFailed(_logger, e, WorkerId);
            worker.Kill("recycling failed");
        }
    }

    /// <summary>
    /// One tick of the pool's health loop for this slot. A worker that left the heartbeats of the timeout's worth of
    /// ticks unanswered and has been silent for the timeout is hung (the bridge answers from its reader thread, so a busy
    /// one still answers) and killed; its exit restarts it (<see cref="HeartbeatWatch"/>). Otherwise it gets a
    /// heartbeat, its memory is sampled, and it is recycled when past its age or memory limit.
    /// </summary>
    /// <param name="nowMs">
    /// The tick's one clock reading (<see cref="Environment.TickCount64"/>), the same the pause detector judged. Silence
    /// is charged up to it and no later.
    /// </param>
    /// <param name="siloWasPaused">The silo itself was not running since the last tick: the heartbeat deadline starts again now.</param>
    public void CheckHealth(long nowMs, bool siloWasPaused)
    {
        if (Worker is not { } worker)
        {
            return;
        }

        if (!ReferenceEquals(_watched, worker))
        {
            _watched = worker;
            _heartbeats = new HeartbeatWatch(_settings.HeartbeatInterval, _settings.HeartbeatTimeout);
        }

        if (_heartbeats!.Check(nowMs, worker.HeartbeatAnswers, worker.LastHeartbeatAtMs, siloWasPaused) is { } silence)
        {
            var reason = $"unresponsive: no heartbeat answer for {silence.TotalMilliseconds:0} ms over {_heartbeats.UnansweredTicks} health checks (limit {_settings.HeartbeatTimeout.TotalMilliseconds:0} ms); killed";
            // The exit is observed a little after SIGKILL; until then this check runs again and must not recount.
            if (worker.Kill(reason))
            {
                _listener.HungKilled();
                Log.HungWorkerKilled(_logger, WorkerId, worker.Pid, reason);
            }

            return;
        }

        worker.SendHeartbeat();
        var residentBytes = worker.SampleResidentBytes();
        if (_settings.Recycle.IsDue(DateTimeOffset.UtcNow - worker.StartedAt, residentBytes) && _scheduler.StartRecycling(_slot, worker))
        {
            Recycle(worker);
        }
    }

    /// <summary>
    /// A caller abandoned a request (cancelled, or past its deadline) that <paramref name="worker"/> may still run: its
    /// capacity stays taken until Python stops (its reply frees it). Past the cancel grace period the worker is killed,
    /// and so replaced, so nothing stays busy forever.
    /// </summary>
    public void KillUnlessAnswered(TWorker worker, Task replied) =>
        _background.Run($"grace period of an abandoned request on worker {WorkerId}", () => KillUnlessAnsweredAsync(worker, replied));

    private async Task KillUnlessAnsweredAsync(TWorker worker, Task replied)
    {
        try
        {
            await replied.WaitAsync(_settings.CancelGracePeriod).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            Log.AbandonedRequestNotStopped(_logger, WorkerId, worker.Pid, _settings.CancelGracePeriod.TotalMilliseconds);
            worker.Kill(null);
        }
    }
}

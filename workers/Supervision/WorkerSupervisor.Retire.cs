namespace DSPex.Orleans.Workers.Supervision;

/// <summary>Retiring the worker when an elastic pool shrinks.</summary>
internal sealed partial class WorkerSupervisor<TWorker>
{
    /// <summary>
    /// Stops <paramref name="worker"/>, which the scheduler has just retired (see CapacityScheduler.Retire: it was idle,
    /// and is granted nothing from then on), with the usual grace period, in the background. Its exit is not a crash
    /// and nothing restarts the slot: only the pool's growth activates it again.
    /// </summary>
    public void Retire(TWorker worker) => _background.Run($"retiring worker {WorkerId}", () => RetireAsync(worker));

    private async Task RetireAsync(TWorker worker)
    {
        // In turn with starts and recycles: a start that the slot's growth asks for afterwards waits for this stop.
        await _turn.WaitAsync().ConfigureAwait(false);
        try
        {
            Log.Retiring(_logger, WorkerId, worker.Pid);
            await worker.StopAsync(_settings.StopGracePeriod).ConfigureAwait(false);
        }
        finally
        {
            _turn.Release();
        }
    }
}

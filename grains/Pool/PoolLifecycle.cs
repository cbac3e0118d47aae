namespace DSPex.Orleans.Pool;

/// <summary>
/// Warms the pool once the silo is active. On stop (the first stage to stop, while the gateway still takes
/// calls) it drains, so requests in flight finish and new ones go to other silos, then ends every Python process.
/// </summary>
internal sealed class PoolLifecycle(LocalWorkerPool pool) : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(PoolLifecycle), ServiceLifecycleStage.Active, pool.WarmUpAsync, StopAsync);

    private async Task StopAsync(CancellationToken cancellationToken)
    {
        await pool.DrainAsync(pool.Options.DrainTimeout, cancellationToken);
        await pool.StopAsync();
    }
}

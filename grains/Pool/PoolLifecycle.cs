namespace DSPex.Orleans.Pool;

/// <summary>
/// Warms the silo's pools once the silo is active. On stop (the first stage to stop, while the gateway still takes
/// calls) they drain, so requests in flight finish and new ones go to other silos, then every Python process ends.
/// </summary>
internal sealed class PoolLifecycle(SiloPools pools) : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(PoolLifecycle), ServiceLifecycleStage.Active, pools.WarmUpAsync, StopAsync);

    private async Task StopAsync(CancellationToken cancellationToken)
    {
        await pools.DrainAsync(cancellationToken);
        await pools.StopAsync();
    }
}

namespace DSPex.Orleans.Pool;

/// <summary>Warms the pool once the silo is active, and ends every Python process first thing when it stops.</summary>
internal sealed class PoolLifecycle(LocalWorkerPool pool) : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(PoolLifecycle), ServiceLifecycleStage.Active, pool.WarmUpAsync, _ => pool.StopAsync());
}

using DSPex.Orleans.Contracts;
using DSPex.Orleans.Grains;
using DSPex.Orleans.Placement;
using DSPex.Orleans.Pool;
using DSPex.Orleans.Workers.Python;
using DSPex.Orleans.Workers.Supervision;

namespace DSPex.Orleans.Workers;

/// <summary>
/// The public face of one pool slot on its silo, pinned there (its key names the silo, pool and slot). The slot's
/// process is owned by its <see cref="WorkerSupervisor{TWorker}"/>, not by this grain: the grain asks it to start and
/// recycle, and an activation that Orleans ends while the silo lives on (for example when the grain directory loses
/// entries because another silo died) leaves the process serving. Never collected while the silo runs (KeepAlive).
/// </summary>
[SiloPinnedPlacement]
[KeepAlive]
internal sealed class WorkerGrain(SiloPools pools) : Grain, IWorkerGrain
{
    private LocalWorkerPool _pool = pools.Default;
    private int _slot;

    private WorkerSupervisor<PythonProcess> Supervisor => _pool.SupervisorOf(_slot);

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var key = this.GetPrimaryKeyString();
        if (!SiloKeys.ParseSilo(key).Equals(pools.Silo))
        {
            throw new InvalidOperationException($"Worker {key} is pinned to another silo than {pools.Silo}.");
        }

        _pool = pools.Find(SiloKeys.ParsePool(key)) ?? throw new ArgumentException($"Worker {key} names a pool this silo does not run.");
        _slot = SiloKeys.ParseSlot(key);
        if (!_pool.IsValidSlot(_slot))
        {
            // The grain key is the bad value, not a parameter of this method: the message names it (no paramName).
            throw new ArgumentOutOfRangeException($"Worker {key} has no slot in a pool of at most {_pool.Options.EffectiveMaxSize} workers.", (Exception?)null);
        }

        return Task.CompletedTask;
    }

    public async Task<WorkerInfo> EnsureStartedAsync()
    {
        await Supervisor.EnsureStartedAsync();
        return Info();
    }

    public Task<WorkerInfo> GetInfoAsync() => Task.FromResult(Info());

    public Task RecycleAsync(int pid) => Supervisor.RecycleAsync(pid);

    private WorkerInfo Info() => _pool.SlotInfo(_slot);
}

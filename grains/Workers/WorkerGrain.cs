using DSPex.Orleans.Contracts;
using DSPex.Orleans.Grains;
using DSPex.Orleans.Placement;
using DSPex.Orleans.Pool;
using DSPex.Orleans.Processes;

namespace DSPex.Orleans.Workers;

/// <summary>
/// Owns the Python process of one pool slot on its silo. Never collected while it lives (KeepAlive). When the
/// silo stops, its deactivation ends the process. Orleans can also deactivate it while the silo lives on (for
/// example when the grain directory loses entries because another silo died): then the process stays in the
/// pool, and the next activation, started at once, adopts it.
/// </summary>
[SiloPinnedPlacement]
[KeepAlive]
internal sealed class WorkerGrain(SiloPools pools) : Grain, IWorkerGrain
{
    private LocalWorkerPool _pool = pools.Default;
    private int _slot;
    private PythonProcess? _process;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var key = this.GetPrimaryKeyString();
        if (!SiloKeys.ParseSilo(key).Equals(pools.Silo))
        {
            throw new InvalidOperationException($"Worker {key} is pinned to another silo than {pools.Silo}.");
        }

        _pool = pools.Find(SiloKeys.ParsePool(key)) ?? throw new ArgumentException($"Worker {key} names a pool this silo does not run.", nameof(key));
        _slot = SiloKeys.ParseSlot(key);
        if (!_pool.IsValidSlot(_slot))
        {
            throw new ArgumentOutOfRangeException(nameof(key), $"Worker {key} has no slot in a pool of size {_pool.Options.Size}.");
        }

        _process = _pool.CurrentProcess(_slot);
        return Task.CompletedTask;
    }

    public async Task<WorkerInfo> EnsureStartedAsync()
    {
        if (_process is not { HasExited: false })
        {
            if (_pool.IsStopping)
            {
                throw new InvalidOperationException($"silo {_pool.Silo} is stopping; worker {this.GetPrimaryKeyString()} stays down");
            }

            var process = await PythonProcess.StartAsync(_pool.CreateStartInfo(_slot), _pool.CreateWorkerLogger(), _pool.StopToken);
            _process = process;
            _pool.Attach(_slot, process);
        }

        return Info();
    }

    public Task<WorkerInfo> GetInfoAsync() => Task.FromResult(Info());

    public async Task RecycleAsync(int pid)
    {
        if (_process is not { } old || old.Pid != pid || _pool.IsStopping)
        {
            return;
        }

        var fresh = await PythonProcess.StartAsync(_pool.CreateStartInfo(_slot), _pool.CreateWorkerLogger(), _pool.StopToken);
        _process = fresh;
        _pool.Attach(_slot, fresh);
        await old.StopAsync(_pool.Options.StopGracePeriod);
    }

    private WorkerInfo Info() => _pool.SlotInfo(_slot);

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_process is not { } process)
        {
            return;
        }

        if (!_pool.IsStopping)
        {
            _pool.ReactivateLater(_slot);
            return;
        }

        _pool.Detach(_slot, process);
        await process.StopAsync(_pool.Options.StopGracePeriod);
    }
}

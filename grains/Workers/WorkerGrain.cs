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
internal sealed class WorkerGrain(LocalWorkerPool pool) : Grain, IWorkerGrain
{
    private int _slot;
    private PythonProcess? _process;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var key = this.GetPrimaryKeyString();
        if (!SiloKeys.ParseSilo(key).Equals(pool.Silo))
        {
            throw new InvalidOperationException($"Worker {key} is pinned to another silo than {pool.Silo}.");
        }

        _slot = SiloKeys.ParseSlot(key);
        if (!pool.IsValidSlot(_slot))
        {
            throw new ArgumentOutOfRangeException(nameof(key), $"Worker {key} has no slot in a pool of size {pool.Options.Size}.");
        }

        _process = pool.CurrentProcess(_slot);
        return Task.CompletedTask;
    }

    public async Task<WorkerInfo> EnsureStartedAsync()
    {
        if (_process is not { HasExited: false })
        {
            if (pool.IsStopping)
            {
                throw new InvalidOperationException($"silo {pool.Silo} is stopping; worker {this.GetPrimaryKeyString()} stays down");
            }

            var process = await PythonProcess.StartAsync(pool.CreateStartInfo(_slot), pool.CreateWorkerLogger());
            _process = process;
            pool.Attach(_slot, process);
        }

        return Info();
    }

    public Task<WorkerInfo> GetInfoAsync() => Task.FromResult(Info());

    public async Task RecycleAsync(int pid)
    {
        if (_process is not { } old || old.Pid != pid || pool.IsStopping)
        {
            return;
        }

        var fresh = await PythonProcess.StartAsync(pool.CreateStartInfo(_slot), pool.CreateWorkerLogger());
        _process = fresh;
        pool.Attach(_slot, fresh);
        await old.StopAsync(pool.Options.StopGracePeriod);
    }

    private WorkerInfo Info() => pool.SlotInfo(_slot);

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_process is not { } process)
        {
            return;
        }

        if (!pool.IsStopping)
        {
            pool.ReactivateLater(_slot);
            return;
        }

        pool.Detach(_slot, process);
        await process.StopAsync(pool.Options.StopGracePeriod);
    }
}

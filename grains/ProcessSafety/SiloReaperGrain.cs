using DSPex.Orleans.Contracts;
using DSPex.Orleans.Grains;
using DSPex.Orleans.Placement;
using DSPex.Orleans.Pool;

namespace DSPex.Orleans.ProcessSafety;

/// <summary>The reaper pinned to one silo: runs that silo's sweep when the cluster-wide reaper asks.</summary>
[SiloPinnedPlacement]
internal sealed class SiloReaperGrain(OrphanSweeper sweeper, SiloPools pool) : Grain, ISiloReaperGrain
{
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var key = this.GetPrimaryKeyString();
        return SiloKeys.ParseSilo(key).Equals(pool.Silo)
            ? Task.CompletedTask
            : throw new InvalidOperationException($"Reaper {key} is pinned to another silo than {pool.Silo}.");
    }

    public Task<SweepReport> SweepAsync(string trigger) => sweeper.SweepAsync(trigger);
}

using Orleans.Runtime.Placement;

namespace DSPex.Orleans.Placement;

/// <summary>Puts the activation on the silo its key names, or fails if that silo is not in the cluster.</summary>
internal sealed class SiloPinnedPlacementDirector : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var key = target.GrainIdentity.Key.ToString()
            ?? throw new SiloUnavailableException($"Grain {target.GrainIdentity} has no key naming its silo.");
        var silo = SiloKeys.ParseSilo(key);
        foreach (var compatible in context.GetCompatibleSilos(target))
        {
            if (compatible.Equals(silo))
            {
                return Task.FromResult(silo);
            }
        }

        throw new SiloUnavailableException(
            $"Grain {target.GrainIdentity} is pinned to silo {silo}, which is not an active member of the cluster.");
    }
}

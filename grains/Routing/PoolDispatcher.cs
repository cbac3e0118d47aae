using DSPex.Orleans.Contracts;
using DSPex.Orleans.Grains;
using DSPex.Orleans.Placement;
using DSPex.Orleans.Pool;

namespace DSPex.Orleans.Routing;

/// <summary>
/// Decides which pool runs a request: the session's worker's silo when there is an affinity, this silo's pool
/// otherwise, and other silos' pools when this one is saturated. Shared by the router and session grains.
/// </summary>
internal sealed class PoolDispatcher(LocalWorkerPool pool, IClusterMembershipService membership, IGrainFactory grainFactory)
{
    public async ValueTask<ExecuteResponse> DispatchAsync(ExecuteRequest request, WorkerAffinity? affinity, CancellationToken cancellationToken)
    {
        if (affinity is not null)
        {
            var response = await ToPreferredSiloAsync(request, affinity, cancellationToken);
            if (response is not null)
            {
                return response;
            }

            if (affinity.Mode == AffinityMode.StrictFailFast)
            {
                return ExecuteResponse.Failure(DSPexErrorKind.SessionWorkerUnavailable,
                    $"the silo of the session's worker {affinity.WorkerId} is gone");
            }
        }

        return await ToAnyPoolAsync(request, cancellationToken);
    }

    /// <summary>Null when the preferred worker's silo is gone.</summary>
    private async ValueTask<ExecuteResponse?> ToPreferredSiloAsync(ExecuteRequest request, WorkerAffinity affinity, CancellationToken cancellationToken)
    {
        var silo = SiloKeys.ParseSilo(affinity.WorkerId);
        if (silo.Equals(pool.Silo))
        {
            return await pool.ExecuteAsync(request, affinity, cancellationToken);
        }

        if (!IsActive(silo))
        {
            return null;
        }

        try
        {
            var response = await grainFactory.GetGrain<IPoolGrain>(SiloKeys.ForSilo(silo)).ExecuteWithAffinityAsync(request, affinity, cancellationToken);
            return response.Error?.Kind == DSPexErrorKind.SiloUnavailable ? null : response;
        }
        catch (SiloUnavailableException)
        {
            return null;
        }
    }

    private async ValueTask<ExecuteResponse> ToAnyPoolAsync(ExecuteRequest request, CancellationToken cancellationToken)
    {
        var response = await pool.ExecuteAsync(request, null, cancellationToken);
        if (response.Error?.Kind is DSPexErrorKind.PoolSaturated or DSPexErrorKind.SiloUnavailable && pool.Options.SpillToOtherSilos)
        {
            foreach (var silo in OtherActiveSilos())
            {
                try
                {
                    var spilled = await grainFactory.GetGrain<IPoolGrain>(SiloKeys.ForSilo(silo)).ExecuteAsync(request, cancellationToken);
                    if (spilled.Error?.Kind is not (DSPexErrorKind.PoolSaturated or DSPexErrorKind.SiloUnavailable))
                    {
                        return spilled;
                    }
                }
                catch (SiloUnavailableException)
                {
                }
            }
        }

        return response;
    }

    public IReadOnlyList<SiloAddress> ActiveSilos() =>
        [.. membership.CurrentSnapshot.Members.Values.Where(m => m.Status == SiloStatus.Active).Select(m => m.SiloAddress)];

    private bool IsActive(SiloAddress silo) =>
        membership.CurrentSnapshot.Members.TryGetValue(silo, out var member) && member.Status == SiloStatus.Active;

    // A few random silos, not all: in an overloaded cluster every refused request would otherwise call every silo.
    private IEnumerable<SiloAddress> OtherActiveSilos() =>
        ActiveSilos().Where(s => !s.Equals(pool.Silo)).OrderBy(_ => Random.Shared.Next()).Take(pool.Options.MaxSpillSilos);
}

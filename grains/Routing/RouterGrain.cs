using DSPex.Orleans.Contracts;
using DSPex.Orleans.Grains;
using DSPex.Orleans.Placement;
using DSPex.Orleans.Pool;
using Orleans.Concurrency;

namespace DSPex.Orleans.Routing;

/// <summary>
/// Runs on the gateway silo that received the call (stateless worker) and hands the request to that silo's pool
/// without another grain hop. When the local queue is full, the request spills to other silos' pools.
/// </summary>
[StatelessWorker(1)]
[Reentrant]
internal sealed class RouterGrain(LocalWorkerPool pool, IClusterMembershipService membership) : Grain, IRouterGrain
{
    public async ValueTask<ExecuteResponse> ExecuteAsync(ExecuteRequest request, CancellationToken cancellationToken)
    {
        var response = await pool.ExecuteAsync(request, cancellationToken);
        if (response.Error?.Kind is DSPexErrorKind.PoolSaturated or DSPexErrorKind.SiloUnavailable && pool.Options.SpillToOtherSilos)
        {
            foreach (var silo in OtherActiveSilos())
            {
                try
                {
                    var spilled = await GrainFactory.GetGrain<IPoolGrain>(SiloKeys.ForSilo(silo)).ExecuteAsync(request, cancellationToken);
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

    public async Task<ClusterStats> GetClusterStatsAsync()
    {
        var silos = membership.CurrentSnapshot.Members.Values
            .Where(m => m.Status == SiloStatus.Active)
            .Select(m => m.SiloAddress)
            .ToList();
        var answers = await Task.WhenAll(silos.Select(async silo =>
        {
            try
            {
                return (silo, stats: await GrainFactory.GetGrain<IPoolGrain>(SiloKeys.ForSilo(silo)).GetStatsAsync()
                    .WaitAsync(TimeSpan.FromSeconds(10)));
            }
            catch (Exception)
            {
                return (silo, stats: (PoolStats?)null);
            }
        }));
        return new ClusterStats(
            [.. answers.Where(a => a.stats is not null).Select(a => a.stats!)],
            [.. answers.Where(a => a.stats is null).Select(a => SiloKeys.ForSilo(a.silo))]);
    }

    private IEnumerable<SiloAddress> OtherActiveSilos() =>
        membership.CurrentSnapshot.Members.Values
            .Where(m => m.Status == SiloStatus.Active && !m.SiloAddress.Equals(pool.Silo))
            .Select(m => m.SiloAddress)
            .OrderBy(_ => Random.Shared.Next());
}

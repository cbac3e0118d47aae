using DSPex.Orleans.Contracts;
using DSPex.Orleans.Grains;
using DSPex.Orleans.Placement;
using DSPex.Orleans.Pool;

namespace DSPex.Orleans.Routing;

/// <summary>
/// Decides which pool runs a request and where: the pool it names or that registers its command (see
/// <see cref="PoolRoute"/>); the session's worker's silo when there is an affinity; this silo's pool otherwise when
/// this silo runs it; and other silos that run the pool when this one is saturated or does not run it. Shared by
/// the router and session grains.
/// </summary>
internal sealed class PoolDispatcher(SiloPools pools, ClusterPools cluster, IClusterMembershipService membership, IGrainFactory grainFactory)
{
    /// <summary>The pool the request runs in, or why none: a request always leaves here with its pool named.</summary>
    public async ValueTask<(ExecuteRequest? Routed, ExecuteError? Error)> RouteAsync(ExecuteRequest request)
    {
        var (pool, error) = PoolRoute.Resolve(request.Command, request.Pool, await cluster.CurrentAsync());
        return error is not null ? (null, error) : (request.Pool == pool ? request : request with { Pool = pool }, null);
    }

    /// <summary>Routes the request (see <see cref="RouteAsync"/>), then runs it.</summary>
    public async ValueTask<ExecuteResponse> DispatchAsync(ExecuteRequest request, WorkerAffinity? affinity, CancellationToken cancellationToken)
    {
        var (routed, error) = await RouteAsync(request);
        if (routed is null)
        {
            return ExecuteResponse.Failure(error!);
        }

        var response = await RunAsync(routed, affinity, cancellationToken);
        return request.Pool is null && response.Error?.Kind == DSPexErrorKind.UnknownCommand
            ? PoolRoute.WithOffers(request.Command, response, await cluster.CurrentAsync())
            : response;
    }

    /// <summary>
    /// The pool a session runs in when the call that creates it names none: the one pool whose adapters register the
    /// call's command, or null (the default pool) for a built-in command, one no pool registers, or one of several pools.
    /// </summary>
    public async ValueTask<string?> PoolOfCommandAsync(string command)
    {
        var offering = (await cluster.CurrentAsync()).PoolsOffering(command);
        return offering.Count == 1 ? offering[0] : null;
    }

    /// <summary>
    /// An UnknownCommand answer to a call in a session, completed with the pools that do register the command: a
    /// session runs in the one pool it was created in, so the call needs a session of that pool.
    /// </summary>
    public async ValueTask<ExecuteResponse> WithSessionPoolHintAsync(string sessionId, string sessionPool, string command, ExecuteResponse response)
    {
        if (response.Error is not { Kind: DSPexErrorKind.UnknownCommand } error)
        {
            return response;
        }

        var offering = (await cluster.CurrentAsync()).PoolsOffering(command).Where(p => p != sessionPool).ToList();
        if (offering.Count == 0)
        {
            return response;
        }

        var pool = offering[0];
        return response with
        {
            Error = error with
            {
                Message = $"{error.Message}; command '{command}' is registered by pool {string.Join(", ", offering)}, but session '{sessionId}' runs in pool " +
                    $"{sessionPool} (a session's pool is fixed when it is created): run it in a session created in pool {pool} (SessionOptions.Pool, dspex --pool {pool})",
            },
        };
    }

    private async ValueTask<ExecuteResponse> RunAsync(ExecuteRequest routed, WorkerAffinity? affinity, CancellationToken cancellationToken)
    {
        if (affinity is not null && SiloKeys.ParsePool(affinity.WorkerId) == routed.Pool)
        {
            var response = await ToPreferredSiloAsync(routed, affinity, cancellationToken);
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

        return await ToAnyPoolAsync(routed, cancellationToken);
    }

    /// <summary>Null when the preferred worker's silo is gone.</summary>
    private async ValueTask<ExecuteResponse?> ToPreferredSiloAsync(ExecuteRequest request, WorkerAffinity affinity, CancellationToken cancellationToken)
    {
        var silo = SiloKeys.ParseSilo(affinity.WorkerId);
        if (silo.Equals(pools.Silo) && pools.Find(request.Pool) is { } local)
        {
            return await local.ExecuteAsync(request, affinity, cancellationToken);
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
        var local = pools.Find(request.Pool);
        var response = local is not null
            ? await local.ExecuteAsync(request, null, cancellationToken)
            : ExecuteResponse.Failure(DSPexErrorKind.NoWorkers, $"no active silo runs pool {request.Pool}");
        var options = (local ?? pools.Default).Options;
        // Another silo when this one cannot take it now, or does not run the pool at all.
        var tryOthers = local is null || (response.Error?.Kind is DSPexErrorKind.PoolSaturated or DSPexErrorKind.SiloUnavailable && options.SpillToOtherSilos);
        if (!tryOthers)
        {
            return response;
        }

        var others = (await OtherActiveSilosAsync(request.Pool!)).Take(options.MaxSpillSilos);
        foreach (var silo in others)
        {
            try
            {
                var spilled = await grainFactory.GetGrain<IPoolGrain>(SiloKeys.ForSilo(silo)).ExecuteAsync(request, cancellationToken);
                if (spilled.Error?.Kind is not (DSPexErrorKind.PoolSaturated or DSPexErrorKind.SiloUnavailable or DSPexErrorKind.NoWorkers))
                {
                    return spilled;
                }

                response = local is null ? spilled : response;
            }
            catch (SiloUnavailableException)
            {
            }
        }

        return response;
    }

    public IReadOnlyList<SiloAddress> ActiveSilos() =>
        [.. membership.CurrentSnapshot.Members.Values.Where(m => m.Status == SiloStatus.Active).Select(m => m.SiloAddress)];

    /// <summary>The active silos other than this one that run <paramref name="pool"/>, in random order (spreads spills and relays).</summary>
    public async ValueTask<IEnumerable<SiloAddress>> OtherActiveSilosAsync(string pool) =>
        (await cluster.CurrentAsync()).SilosOf(pool).Where(s => !s.Equals(pools.Silo) && IsActive(s)).OrderBy(_ => Random.Shared.Next());

    public bool IsActive(SiloAddress silo) =>
        membership.CurrentSnapshot.Members.TryGetValue(silo, out var member) && member.Status == SiloStatus.Active;
}

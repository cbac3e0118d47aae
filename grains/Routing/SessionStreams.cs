using DSPex.Orleans.Contracts;
using DSPex.Orleans.Grains;
using DSPex.Orleans.Placement;
using DSPex.Orleans.Pool;

namespace DSPex.Orleans.Routing;

/// <summary>
/// Where a session's stream (or upload) runs: on the silo of the worker the session prefers (the worker that holds its
/// programs), as a session call does; without one, or when that silo is gone and the session's affinity allows it, on
/// the gateway's pool, or on another silo that runs the session's pool. A stream from another silo is read one item per
/// fetch, so that silo grants Python credit only as the client reads (docs/streams.md#backpressure); when that silo
/// is lost the stream ends with SiloUnavailable (the gateway's boundary types it) and the session is not touched; when
/// this (gateway) silo is lost, that silo ends the stream (<see cref="StreamCaller"/>, <see cref="SiloDeathWatch"/>).
/// IPoolGrain is silo-pinned, so on a cluster of mixed releases a silo of the previous release cannot serve
/// StreamWithAffinityAsync: such a stream ends with a typed error from the boundary rather than running there.
/// </summary>
internal sealed class SessionStreams(SiloPools pools, PoolDispatcher dispatcher, IGrainFactory grainFactory)
{
    /// <summary>Items per fetch from another silo's pool grain (see <see cref="SessionStreams"/>).</summary>
    private const int ItemsPerFetch = 1;

    /// <summary>Streams <paramref name="routed"/> (its pool named, its session context set) where the session's worker is.</summary>
    public async IAsyncEnumerable<StreamItem> StreamAsync(ExecuteRequest routed, WorkerAffinity? affinity)
    {
        var target = await PlaceAsync(routed, affinity);
        if (target.Error is { } error)
        {
            yield return new StreamItem(null, error);
            yield break;
        }

        var source = target.Local is { } local
            ? local.StreamAsync(routed, target.Affinity, CancellationToken.None)
            : Pool(target.Silo!).StreamWithAffinityAsync(routed, target.Affinity).WithBatchSize(ItemsPerFetch);
        // A silo running the stream for this one ends it when this silo dies (SiloDeathWatch): read when it starts.
        StreamCaller.Set(pools.Silo);
        await foreach (var item in source)
        {
            yield return item;
        }
    }

    /// <summary>Runs the upload <paramref name="routed"/> (its pool named, its session context set) where the session's worker is.</summary>
    public async Task<ExecuteResponse> UploadAsync(ExecuteRequest routed, WorkerAffinity? affinity, IChunkSource source, long? declaredLength)
    {
        var target = await PlaceAsync(routed, affinity);
        return target.Error is { } error ? ExecuteResponse.Failure(error)
            : target.Local is { } local ? await local.ExecuteUploadAsync(routed, source, declaredLength, target.Affinity, CancellationToken.None)
            : await Pool(target.Silo!).ExecuteUploadWithAffinityAsync(routed, source, declaredLength, target.Affinity);
    }

    /// <summary>The session's worker's silo when it is live; else (when the affinity mode allows) this silo's pool or another's.</summary>
    private async ValueTask<Target> PlaceAsync(ExecuteRequest routed, WorkerAffinity? affinity)
    {
        var preferred = affinity is not null && SiloKeys.ParsePool(affinity.WorkerId) == routed.Pool ? affinity : null;
        if (preferred is not null)
        {
            var silo = SiloKeys.ParseSilo(preferred.WorkerId);
            if (silo.Equals(pools.Silo) && pools.Find(routed.Pool) is { } here)
            {
                return new Target(here, null, preferred, null);
            }

            if (dispatcher.IsActive(silo))
            {
                return new Target(null, silo, preferred, null);
            }

            if (preferred.Mode == AffinityMode.StrictFailFast)
            {
                return new Target(null, null, null, new ExecuteError(DSPexErrorKind.SessionWorkerUnavailable,
                    $"the silo of the session's worker {preferred.WorkerId} is gone"));
            }
        }

        if (pools.Find(routed.Pool) is { } local)
        {
            return new Target(local, null, null, null);
        }

        var other = (await dispatcher.OtherActiveSilosAsync(routed.Pool!)).FirstOrDefault();
        return other is null
            ? new Target(null, null, null, new ExecuteError(DSPexErrorKind.NoWorkers, $"no active silo runs pool {routed.Pool}"))
            : new Target(null, other, null, null);
    }

    private IPoolGrain Pool(SiloAddress silo) => grainFactory.GetGrain<IPoolGrain>(SiloKeys.ForSilo(silo));

    /// <summary>A local pool, or another silo, with the worker to prefer there; or why it cannot run.</summary>
    private readonly record struct Target(LocalWorkerPool? Local, SiloAddress? Silo, WorkerAffinity? Affinity, ExecuteError? Error);
}

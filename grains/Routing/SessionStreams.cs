using DSPex.Orleans.Contracts;
using DSPex.Orleans.Grains;
using DSPex.Orleans.Placement;
using DSPex.Orleans.Pool;

namespace DSPex.Orleans.Routing;

/// <summary>
/// Where a session's stream runs: on the silo of the worker the session prefers (the worker that holds its programs),
/// as a session call does; without one, or when that silo is gone and the session's affinity allows it, on the
/// gateway's pool, or on another silo that runs the session's pool. A stream from another silo is read one item per
/// fetch, so that silo grants Python credit only as the client reads (docs/streams.md#backpressure); when that silo
/// is lost the stream ends with SiloUnavailable (the gateway's boundary types it) and the session is not touched.
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
        var preferred = affinity is not null && SiloKeys.ParsePool(affinity.WorkerId) == routed.Pool ? affinity : null;
        var source = preferred is null ? null : Preferred(routed, preferred);
        if (source is null && preferred?.Mode == AffinityMode.StrictFailFast)
        {
            yield return new StreamItem(null, new ExecuteError(DSPexErrorKind.SessionWorkerUnavailable,
                $"the silo of the session's worker {preferred.WorkerId} is gone"));
            yield break;
        }

        source ??= await AnyAsync(routed);
        await foreach (var item in source)
        {
            yield return item;
        }
    }

    /// <summary>The stream on the preferred worker's silo; null when that silo is gone.</summary>
    private IAsyncEnumerable<StreamItem>? Preferred(ExecuteRequest routed, WorkerAffinity affinity)
    {
        var silo = SiloKeys.ParseSilo(affinity.WorkerId);
        if (silo.Equals(pools.Silo) && pools.Find(routed.Pool) is { } local)
        {
            return local.StreamAsync(routed, affinity, CancellationToken.None);
        }

        return dispatcher.IsActive(silo) ? Remote(silo, routed, affinity) : null;
    }

    private async ValueTask<IAsyncEnumerable<StreamItem>> AnyAsync(ExecuteRequest routed)
    {
        if (pools.Find(routed.Pool) is { } local)
        {
            return local.StreamAsync(routed, null, CancellationToken.None);
        }

        var silo = (await dispatcher.OtherActiveSilosAsync(routed.Pool!)).FirstOrDefault();
        return silo is null
            ? Single(new ExecuteError(DSPexErrorKind.NoWorkers, $"no active silo runs pool {routed.Pool}"))
            : Remote(silo, routed, null);
    }

    private IAsyncEnumerable<StreamItem> Remote(SiloAddress silo, ExecuteRequest routed, WorkerAffinity? affinity) =>
        grainFactory.GetGrain<IPoolGrain>(SiloKeys.ForSilo(silo)).StreamWithAffinityAsync(routed, affinity).WithBatchSize(ItemsPerFetch);

    private static async IAsyncEnumerable<StreamItem> Single(ExecuteError error)
    {
        await Task.CompletedTask;
        yield return new StreamItem(null, error);
    }
}

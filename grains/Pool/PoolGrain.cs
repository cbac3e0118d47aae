using Orleans.Concurrency;
using DSPex.Orleans.Calls;
using DSPex.Orleans.Contracts;
using DSPex.Orleans.Grains;
using DSPex.Orleans.Placement;
using DSPex.Orleans.Routing;
using Microsoft.Extensions.Logging;

namespace DSPex.Orleans.Pool;

/// <summary>The grain face of a silo's pools, so other silos can send them work and read their stats and offers.</summary>
[SiloPinnedPlacement]
[Reentrant]
internal sealed class PoolGrain(SiloPools pools, CallTracker calls, SiloDeathWatch deathWatch, ILogger<PoolGrain> logger) : Grain, IPoolGrain
{
    public ValueTask<ExecuteResponse> ExecuteAsync(ExecuteRequest request, CancellationToken cancellationToken) =>
        ExecuteWithAffinityAsync(request, null, cancellationToken);

    public ValueTask<ExecuteResponse> ExecuteWithAffinityAsync(ExecuteRequest request, WorkerAffinity? affinity, CancellationToken cancellationToken) =>
        GrainBoundary.Guard(() => pools.Find(request?.Pool) is { } pool
            ? pool.ExecuteAsync(request!, affinity, cancellationToken)
            : ValueTask.FromResult(ExecuteResponse.Failure(DSPexErrorKind.NoWorkers, $"silo {pools.Silo} does not run pool {request?.Pool}")),
            logger, "pool execute", cancellationToken);

    // A stream relayed by another silo ends when that silo dies: nothing would read it again, and its worker would
    // stay busy until the idle limit or the deadline. The relay is read here, while the call's RequestContext is set.
    public IAsyncEnumerable<StreamItem> StreamWithAffinityAsync(ExecuteRequest request, WorkerAffinity? affinity) =>
        GrainBoundary.Guard(() => pools.Find(request?.Pool) is { } pool
            ? pool.StreamAsync(request!, affinity, StreamCaller.Current() is { } relay ? deathWatch.WhenDead(relay) : CancellationToken.None)
            : NoPool(request?.Pool), logger, "pool stream");

    public Task<ExecuteResponse> ExecuteUploadWithAffinityAsync(ExecuteRequest request, IChunkSource source, long? declaredLength, WorkerAffinity? affinity) =>
        GrainBoundary.Guard(async ValueTask<ExecuteResponse> () => pools.Find(request?.Pool) is { } pool
            ? await pool.ExecuteUploadAsync(request!, source, declaredLength, affinity, CancellationToken.None)
            : ExecuteResponse.Failure(DSPexErrorKind.NoWorkers, $"silo {pools.Silo} does not run pool {request?.Pool}"),
            logger, "pool upload", CancellationToken.None).AsTask();

    private async IAsyncEnumerable<StreamItem> NoPool(string? pool)
    {
        await Task.CompletedTask;
        yield return new StreamItem(null, new ExecuteError(DSPexErrorKind.NoWorkers, $"silo {pools.Silo} does not run pool {pool}"));
    }

    public Task<PoolStats> GetStatsAsync() => Task.FromResult(pools.Default.GetStats());

    public Task<PoolStats[]> GetAllStatsAsync() => Task.FromResult(pools.Stats());

    public Task<PoolOffer[]> GetOffersAsync() => Task.FromResult(pools.Offers());

    public Task<CallState[]> GetCallStatesAsync(Guid[] callIds) => Task.FromResult(calls.StatesOf(callIds ?? []));
}

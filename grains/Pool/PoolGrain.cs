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
internal sealed class PoolGrain(SiloPools pools, CallTracker calls, ILogger<PoolGrain> logger) : Grain, IPoolGrain
{
    public ValueTask<ExecuteResponse> ExecuteAsync(ExecuteRequest request, CancellationToken cancellationToken) =>
        ExecuteWithAffinityAsync(request, null, cancellationToken);

    public ValueTask<ExecuteResponse> ExecuteWithAffinityAsync(ExecuteRequest request, WorkerAffinity? affinity, CancellationToken cancellationToken) =>
        GrainBoundary.Guard(() => pools.Find(request?.Pool) is { } pool
            ? pool.ExecuteAsync(request!, affinity, cancellationToken)
            : ValueTask.FromResult(ExecuteResponse.Failure(DSPexErrorKind.NoWorkers, $"silo {pools.Silo} does not run pool {request?.Pool}")),
            logger, "pool execute", cancellationToken);

    public IAsyncEnumerable<StreamItem> StreamWithAffinityAsync(ExecuteRequest request, WorkerAffinity? affinity) =>
        GrainBoundary.Guard(() => pools.Find(request?.Pool) is { } pool
            ? pool.StreamAsync(request!, affinity, CancellationToken.None)
            : NoPool(request?.Pool), logger, "pool stream");

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

using Orleans.Concurrency;
using DSPex.Orleans.Calls;
using DSPex.Orleans.Contracts;
using DSPex.Orleans.Grains;
using DSPex.Orleans.Placement;
using DSPex.Orleans.Routing;
using Microsoft.Extensions.Logging;

namespace DSPex.Orleans.Pool;

/// <summary>The grain face of a silo's pool, so other silos can send it work and read its stats.</summary>
[SiloPinnedPlacement]
[Reentrant]
internal sealed class PoolGrain(LocalWorkerPool pool, CallTracker calls, ILogger<PoolGrain> logger) : Grain, IPoolGrain
{
    public ValueTask<ExecuteResponse> ExecuteAsync(ExecuteRequest request, CancellationToken cancellationToken) =>
        GrainBoundary.Guard(() => pool.ExecuteAsync(request, cancellationToken), logger, "pool execute", cancellationToken);

    public ValueTask<ExecuteResponse> ExecuteWithAffinityAsync(ExecuteRequest request, WorkerAffinity? affinity, CancellationToken cancellationToken) =>
        GrainBoundary.Guard(() => pool.ExecuteAsync(request, affinity, cancellationToken), logger, "pool execute", cancellationToken);

    public Task<PoolStats> GetStatsAsync() => Task.FromResult(pool.GetStats());

    public Task<CallState[]> GetCallStatesAsync(Guid[] callIds) => Task.FromResult(calls.StatesOf(callIds ?? []));
}

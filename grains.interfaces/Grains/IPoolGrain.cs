using DSPex.Orleans.Contracts;

namespace DSPex.Orleans.Grains;

/// <summary>The pools of one silo, keyed by that silo's address with its generation; a request names its pool (<see cref="ExecuteRequest.Pool"/>, default when null).</summary>
public interface IPoolGrain : IGrainWithStringKey
{
    /// <summary>Runs the request on this silo's pool only (no further spill).</summary>
    [ResponseTimeout(CallTracking.ExecuteResponseTimeout)]
    ValueTask<ExecuteResponse> ExecuteAsync(ExecuteRequest request, CancellationToken cancellationToken = default);

    /// <summary>Runs a session's request, preferring the worker the session last ran on.</summary>
    [ResponseTimeout(CallTracking.ExecuteResponseTimeout)]
    ValueTask<ExecuteResponse> ExecuteWithAffinityAsync(ExecuteRequest request, WorkerAffinity? affinity, CancellationToken cancellationToken = default);

    /// <summary>The default pool's workers, their state and its queue.</summary>
    Task<PoolStats> GetStatsAsync();

    /// <summary>Every pool of this silo: workers, state and queue.</summary>
    Task<PoolStats[]> GetAllStatsAsync();

    /// <summary>What each pool of this silo serves (commands by pool), for routing.</summary>
    Task<PoolOffer[]> GetOffersAsync();

    /// <summary>The state of each call this silo took from a client (see <see cref="CallTracking"/>).</summary>
    Task<CallState[]> GetCallStatesAsync(Guid[] callIds);
}

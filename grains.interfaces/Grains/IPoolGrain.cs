using DSPex.Orleans.Contracts;

namespace DSPex.Orleans.Grains;

/// <summary>The pools of one silo, keyed by that silo's address with its generation; a request names its pool (<see cref="ExecuteRequest.Pool"/>, default when null).</summary>
// Aliases: the interface keeps its full name and each method the id Orleans derived from its signature in the
// first release, so releases that differ in names or signatures still call each other (docs/operations.md#upgrading).
[Alias("DSPex.Orleans.Grains.IPoolGrain")]
public interface IPoolGrain : IGrainWithStringKey
{
    /// <summary>Runs the request on this silo's pool only (no further spill).</summary>
    [ResponseTimeout(CallTracking.ExecuteResponseTimeout)]
    [Alias("9539C533")]
    ValueTask<ExecuteResponse> ExecuteAsync(ExecuteRequest request, CancellationToken cancellationToken = default);

    /// <summary>Runs a session's request, preferring the worker the session last ran on.</summary>
    [ResponseTimeout(CallTracking.ExecuteResponseTimeout)]
    [Alias("FE4D5642")]
    ValueTask<ExecuteResponse> ExecuteWithAffinityAsync(ExecuteRequest request, WorkerAffinity? affinity, CancellationToken cancellationToken = default);

    /// <summary>
    /// Streams a session's generator command from this silo's pool, preferring the session's worker. The caller reads
    /// it one item per fetch, so the credit this pool grants Python follows what the client has read.
    /// </summary>
    [Alias("StreamWithAffinity")]
    IAsyncEnumerable<StreamItem> StreamWithAffinityAsync(ExecuteRequest request, WorkerAffinity? affinity);

    /// <summary>
    /// Runs a session's upload on this silo's pool, preferring the session's worker: the command reads
    /// <paramref name="source"/>'s chunks as IRouterGrain.ExecuteUploadAsync describes.
    /// </summary>
    [ResponseTimeout(CallTracking.ExecuteResponseTimeout)]
    [Alias("ExecuteUploadWithAffinity")]
    Task<ExecuteResponse> ExecuteUploadWithAffinityAsync(ExecuteRequest request, IChunkSource source, long? declaredLength, WorkerAffinity? affinity);

    /// <summary>The default pool's workers, their state and its queue.</summary>
    [Alias("D1CF5A1D")]
    Task<PoolStats> GetStatsAsync();

    /// <summary>Every pool of this silo: workers, state and queue.</summary>
    [Alias("4DD66300")]
    Task<PoolStats[]> GetAllStatsAsync();

    /// <summary>What each pool of this silo serves (commands by pool), for routing.</summary>
    [Alias("B7F4BBC1")]
    Task<PoolOffer[]> GetOffersAsync();

    /// <summary>The state of each call this silo took from a client (see <see cref="CallTracking"/>).</summary>
    [Alias("35C1EA08")]
    Task<CallState[]> GetCallStatesAsync(Guid[] callIds);
}

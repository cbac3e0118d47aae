using DSPex.Orleans.Contracts;

namespace DSPex.Orleans.Grains;

/// <summary>
/// Entry point for stateless calls. A stateless worker, so it runs on the gateway silo that received the call;
/// the client spreads keys so its calls spread over gateways.
/// </summary>
public interface IRouterGrain : IGrainWithIntegerKey
{
    ValueTask<ExecuteResponse> ExecuteAsync(ExecuteRequest request, CancellationToken cancellationToken = default);

    /// <summary>Runs a generator command on this silo's pool and streams its items (the last may carry the error that ended it).</summary>
    IAsyncEnumerable<StreamItem> StreamAsync(ExecuteRequest request);

    Task<ClusterStats> GetClusterStatsAsync();
}

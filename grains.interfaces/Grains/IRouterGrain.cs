using DSPex.Orleans.Contracts;

namespace DSPex.Orleans.Grains;

/// <summary>
/// Entry point for stateless calls. A stateless worker, so it runs on the gateway silo that received the call;
/// the client spreads keys so its calls spread over gateways.
/// </summary>
// Aliases: the interface keeps its full name and each method the id Orleans derived from its signature in the
// first release, so releases that differ in names or signatures still call each other (docs/operations.md#upgrading).
[Alias("DSPex.Orleans.Grains.IRouterGrain")]
public interface IRouterGrain : IGrainWithIntegerKey
{
    /// <summary>Runs a stateless request on a worker of this silo's pool (or of a less loaded silo when the queue is full).</summary>
    [ResponseTimeout(CallTracking.ExecuteResponseTimeout)]
    [Alias("A3DD8E4B")]
    ValueTask<ExecuteResponse> ExecuteAsync(ExecuteRequest request, CancellationToken cancellationToken = default);

    /// <summary>Runs a call of a session through this gateway, so the gateway records it (see <see cref="CallTracking"/>).</summary>
    [ResponseTimeout(CallTracking.ExecuteResponseTimeout)]
    [Alias("F437FB9A")]
    Task<ExecuteResponse> ExecuteInSessionAsync(string sessionId, ExecuteRequest request, SessionOptions options, CancellationToken cancellationToken = default);

    /// <summary>Runs a session's program through this gateway, so the gateway records the call.</summary>
    [ResponseTimeout(CallTracking.ExecuteResponseTimeout)]
    [Alias("D6A67ACD")]
    Task<ExecuteResponse> ExecuteProgramAsync(string sessionId, string programId, string argsJson, TimeSpan? timeout, Guid callId, SessionOptions options, Tools.ClientTools? tools = null, CancellationToken cancellationToken = default);

    /// <summary>Runs a generator command on this silo's pool and streams its items (the last may carry the error that ended it).</summary>
    [Alias("61BE5585")]
    IAsyncEnumerable<StreamItem> StreamAsync(ExecuteRequest request);

    /// <summary>
    /// Runs a generator command in a session and streams its items: with the session's variables, in its pool, on
    /// the worker it prefers (on that worker's silo); the last item may carry the error that ended it.
    /// </summary>
    [Alias("StreamInSession")]
    IAsyncEnumerable<StreamItem> StreamInSessionAsync(string sessionId, ExecuteRequest request, SessionOptions options);

    /// <summary>
    /// Runs a command on this silo's pool with an upload: the command reads <paramref name="source"/>'s chunks as a
    /// stream (dspex.upload()), read from the caller only as it takes them. <paramref name="declaredLength"/>, when
    /// given, is the upload's byte count: data longer or shorter is <see cref="DSPexErrorKind.InvalidArguments"/>.
    /// </summary>
    [ResponseTimeout(CallTracking.ExecuteResponseTimeout)]
    [Alias("ExecuteUpload")]
    Task<ExecuteResponse> ExecuteUploadAsync(ExecuteRequest request, IChunkSource source, long? declaredLength);

    /// <summary>
    /// Runs an upload (as <see cref="ExecuteUploadAsync"/>) in a session: with the session's variables, in its pool, on
    /// the worker it prefers (on that worker's silo), started by the session as its streams are. Not recorded for a
    /// repeat: the client sends it once (its data is read once).
    /// </summary>
    [ResponseTimeout(CallTracking.ExecuteResponseTimeout)]
    [Alias("ExecuteUploadInSession")]
    Task<ExecuteResponse> ExecuteUploadInSessionAsync(string sessionId, ExecuteRequest request, SessionOptions options, IChunkSource source, long? declaredLength);

    /// <summary>The pool statistics of every active silo.</summary>
    [Alias("0645BCB6")]
    Task<ClusterStats> GetClusterStatsAsync();

    /// <summary>Asks every active silo for these calls (see <see cref="CallStatesReport"/>).</summary>
    [Alias("8C5762CB")]
    Task<CallStatesReport> GetCallStatesAsync(Guid[] callIds);
}

using System.Runtime.CompilerServices;
using System.Text.Json;
using DSPex.Orleans.Client.Calls;
using DSPex.Orleans.Client.Errors;
using DSPex.Orleans.Contracts;
using DSPex.Orleans.Grains;

namespace DSPex.Orleans.Client;

/// <summary>
/// Runs Python commands on the cluster. Thread-safe; one per application. Failures throw a
/// <see cref="DSPexException"/> subclass named for what happened.
/// </summary>
public sealed partial class DSPexClient
{
    // Router keys spread a client's calls over the gateways: the Orleans client picks a gateway per grain id.
    private const int RouterKeyCount = 64;
    private readonly IGrainFactory _grainFactory;
    private readonly JsonSerializerOptions _json;
    private readonly TrackedCalls _calls;
    private readonly int _maxRequestBytes;
    private readonly Tools.ClientToolReference _tools;
    private int _nextRouter;

    /// <param name="grainFactory">The Orleans client (or a co-hosted silo's grain factory).</param>
    /// <param name="jsonOptions">For typed arguments and results; web defaults when null.</param>
    /// <param name="limits">How long a call may go unanswered before its silo is taken for gone.</param>
    /// <param name="maxRequestBytes">Arguments larger than this (UTF-8) are refused here with <see cref="FrameTooLargeException"/>; match the silos' MaxFrameBytes.</param>
    /// <param name="tools">.NET tools the Python code of this client's requests may call (dspex.call_tool); see docs/tools.md.</param>
    public DSPexClient(IGrainFactory grainFactory, JsonSerializerOptions? jsonOptions = null, CallLimits? limits = null, int maxRequestBytes = RequestLimits.DefaultMaxRequestBytes,
        DSPex.Orleans.Tools.DSPexToolSet? tools = null)
    {
        ArgumentNullException.ThrowIfNull(grainFactory);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxRequestBytes);
        _grainFactory = grainFactory;
        _json = jsonOptions ?? new JsonSerializerOptions(JsonSerializerDefaults.Web);
        _calls = new TrackedCalls(Router, limits ?? new CallLimits());
        _maxRequestBytes = maxRequestBytes;
        _tools = new Tools.ClientToolReference(grainFactory, tools);
    }

    /// <summary>
    /// The session namespace of this client's credential (from its API key, set by the hosting extension), or null
    /// for a client without a key, whose session ids are grain keys as they are (docs/security.md).
    /// </summary>
    internal string? SessionNamespace { get; init; }

    /// <summary>The largest arguments (UTF-8 bytes) a call may send.</summary>
    public int MaxRequestBytes => _maxRequestBytes;

    /// <summary>Execute calls waiting for their answer.</summary>
    public int CallsInFlight => _calls.Count;

    /// <summary>
    /// Tells the client a gateway connection closed (the hosting extension wires Orleans' gateway-count event to
    /// it). Calls in flight that no live silo holds are then failed with <see cref="SiloLostException"/>
    /// instead of waiting out their deadline.
    /// </summary>
    public void OnGatewayLost() => _calls.OnGatewayLost();

    /// <summary>Completes when the checks started by lost gateways have settled every call they covered.</summary>
    public Task WhenGatewayLossHandledAsync() => _calls.WhenVerifiedAsync();

    /// <summary>Runs a command with raw JSON arguments and returns the raw JSON result.</summary>
    public async Task<string> ExecuteRawAsync(string command, string argsJson = "{}", ExecuteOptions? options = null, CancellationToken cancellationToken = default)
    {
        var response = await ExecuteResponseAsync(command, argsJson, options, cancellationToken).ConfigureAwait(false);
        return response.Error is { } error ? throw DSPexException.From(error, response.WorkerId) : response.ResultJson!;
    }

    /// <summary>
    /// Runs a command and returns the full response (result, worker, pid) without throwing for Python or pool
    /// failures. Unusable arguments still throw (<see cref="InvalidArgumentsException"/>, <see cref="FrameTooLargeException"/>): nothing is sent.
    /// </summary>
    public ValueTask<ExecuteResponse> ExecuteResponseAsync(string command, string argsJson = "{}", ExecuteOptions? options = null, CancellationToken cancellationToken = default)
    {
        CheckRequest(command, argsJson, options);
        return new(_calls.ExecuteAsync(
            (callId, timeout, token) => Router().ExecuteAsync(new ExecuteRequest(command, argsJson, timeout, Idempotent: options?.Idempotent ?? false, CallId: callId, Tools: _tools.Get(), Pool: options?.Pool), token),
            ExecuteOptions.RetryTermsOf(options), repeatsAnswered: false, cancellationToken));
    }

    /// <summary>Runs a command with arguments serialised by System.Text.Json and deserialises the result.</summary>
    public async Task<TResult> ExecuteAsync<TResult>(string command, object? args = null, ExecuteOptions? options = null, CancellationToken cancellationToken = default)
    {
        var raw = await ExecuteRawAsync(command, ClientChecks.Serialize(args, _json, nameof(args), stringIsJson: false), options, cancellationToken).ConfigureAwait(false);
        return ClientChecks.Deserialize<TResult>(raw, _json);
    }

    /// <summary>
    /// Runs a command whose args and result may carry bytes and arrays as binary parts, raw beside the JSON (never
    /// base64): <paramref name="args"/> is a <see cref="DSPexData"/>, or a value whose <see cref="BinaryData"/>,
    /// ReadOnlyMemory&lt;byte&gt; and <see cref="DSPexArray"/> members become parts. Python receives memoryview (bytes)
    /// and numpy arrays; what it returns comes back in the result's <see cref="DSPexData.Parts"/> (docs/data.md).
    /// The args and their parts together are bounded by <see cref="MaxRequestBytes"/> (<see cref="FrameTooLargeException"/>).
    /// </summary>
    public async Task<DSPexData> ExecuteDataAsync(string command, object? args = null, ExecuteOptions? options = null, CancellationToken cancellationToken = default)
    {
        var checkedRequest = DataRequest(command, args, options);
        var response = await _calls.ExecuteAsync(
            (callId, timeout, token) => Router().ExecuteAsync(checkedRequest with { Timeout = timeout, Idempotent = options?.Idempotent ?? false, CallId = callId }, token),
            ExecuteOptions.RetryTermsOf(options), repeatsAnswered: false, cancellationToken).ConfigureAwait(false);
        return DSPexData.Of(response);
    }

    /// <summary>Runs a command and returns the result as a JSON element.</summary>
    public async Task<JsonElement> ExecuteAsync(string command, object? args = null, ExecuteOptions? options = null, CancellationToken cancellationToken = default)
    {
        var raw = await ExecuteRawAsync(command, ClientChecks.Serialize(args, _json, nameof(args), stringIsJson: false), options, cancellationToken).ConfigureAwait(false);
        return ClientChecks.Deserialize<JsonElement>(raw, _json);
    }

    /// <summary>
    /// Runs a generator command and yields each item's raw JSON as it arrives (an item holding bytes or arrays is
    /// <see cref="Errors.DSPexDataException"/> naming it: read those with <see cref="StreamDataAsync"/>). Reading slowly slows the
    /// generator (a bounded window); stopping early (break, dispose or cancel) cancels it in Python. The stream is
    /// bounded by <see cref="ExecuteOptions.Timeout"/> (or the silos' default) and by their idle limit between items.
    /// </summary>
    public IAsyncEnumerable<string> StreamRawAsync(string command, string argsJson = "{}", ExecuteOptions? options = null, CancellationToken cancellationToken = default)
    {
        // Checked now, not at the first MoveNextAsync, so a bad call fails where it is made.
        CheckRequest(command, argsJson, options);
        return StreamCheckedAsync(new ExecuteRequest(command, argsJson, options?.Timeout, Tools: _tools.Get(), Pool: options?.Pool), cancellationToken);
    }

    private IAsyncEnumerable<string> StreamCheckedAsync(ExecuteRequest request, CancellationToken cancellationToken) =>
        StreamReads.ReadAsync(Router().StreamAsync(request), cancellationToken);

    /// <summary>Runs a generator command and deserialises each item.</summary>
    public async IAsyncEnumerable<TItem> StreamAsync<TItem>(string command, object? args = null, ExecuteOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var raw in StreamRawAsync(command, ClientChecks.Serialize(args, _json, nameof(args), stringIsJson: false), options, cancellationToken).ConfigureAwait(false))
        {
            yield return ClientChecks.Deserialize<TItem>(raw, _json);
        }
    }

    /// <summary>
    /// Runs a generator command and yields each item whole: its JSON with the bytes and arrays it holds as binary parts
    /// (raw, never base64), read with <see cref="DSPexData.Read{T}"/>. A generator yielding dicts that hold bytes,
    /// bytearray, memoryview, array.array or numpy arrays is read this way; <see cref="StreamRawAsync"/> and
    /// <see cref="StreamAsync{TItem}"/> refuse such an item (<see cref="Errors.DSPexDataException"/> naming it).
    /// <paramref name="args"/> may carry parts as for <see cref="ExecuteDataAsync"/>. Backpressure, limits and stopping
    /// early are as for <see cref="StreamRawAsync"/>.
    /// </summary>
    public IAsyncEnumerable<DSPexData> StreamDataAsync(string command, object? args = null, ExecuteOptions? options = null, CancellationToken cancellationToken = default)
    {
        // Checked now, not at the first MoveNextAsync, so a bad call fails where it is made.
        var request = DataRequest(command, args, options);
        return StreamData.ReadAsync(StreamReads.ReadItemsAsync(Router().StreamAsync(request), cancellationToken), cancellationToken);
    }

    /// <summary>A session by id; it is created on first use with the given options (TTL, affinity, metadata).</summary>
    public DSPexSession Session(string sessionId, SessionOptions? options = null)
    {
        ClientChecks.Id(sessionId, nameof(sessionId));
        ClientChecks.Options(options ?? new SessionOptions(), nameof(options));
        return new(_grainFactory, Router, _calls, sessionId, options ?? new SessionOptions(), _json, _maxRequestBytes, _tools, SessionNamespace);
    }

    /// <summary>Pool stats of every active silo.</summary>
    public Task<ClusterStats> GetClusterStatsAsync() => ClusterCalls.Guard(() => Router().GetClusterStatsAsync()).AsTask();

    /// <summary>Runs an orphan sweep on every active silo now and returns each silo's report.</summary>
    public Task<ClusterSweepReport> SweepAsync() => ClusterCalls.Guard(() => _grainFactory.GetGrain<IReaperGrain>(IReaperGrain.ClusterKey).SweepAllAsync()).AsTask();

    /// <summary>A request whose args may carry binary parts, checked as every data call checks it (args, command, size, options, parts).</summary>
    private ExecuteRequest DataRequest(string command, object? args, ExecuteOptions? options)
    {
        var data = ClientChecks.ToData(args, _json, nameof(args));
        var parts = data.PartsArray();
        CheckRequest(command, data.Json, options);
        ClientChecks.Parts(parts, _maxRequestBytes);
        return new ExecuteRequest(command, data.Json, options?.Timeout, Tools: _tools.Get(), Pool: options?.Pool) { ArgParts = parts };
    }

    private void CheckRequest(string command, string argsJson, ExecuteOptions? options)
    {
        ClientChecks.Command(command, nameof(command));
        ClientChecks.Json(argsJson, _maxRequestBytes, nameof(argsJson));
        ClientChecks.Options(options);
    }

    private IRouterGrain Router() =>
        _grainFactory.GetGrain<IRouterGrain>((uint)Interlocked.Increment(ref _nextRouter) % RouterKeyCount);
}

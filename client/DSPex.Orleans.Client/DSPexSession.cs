using System.Text.Json;
using DSPex.Orleans.Client.Calls;
using DSPex.Orleans.Client.Errors;
using DSPex.Orleans.Contracts;
using DSPex.Orleans.Grains;

namespace DSPex.Orleans.Client;

/// <summary>
/// A handle on one session: stateful calls that prefer the worker holding the session's programs, the
/// programs themselves, and session variables. The session is created on first use with <see cref="Options"/>.
/// </summary>
public sealed partial class DSPexSession
{
    private readonly ISessionGrain _grain;
    private readonly Func<IRouterGrain> _router;
    private readonly TrackedCalls _calls;
    private readonly JsonSerializerOptions _json;
    private readonly int _maxRequestBytes;
    private readonly Tools.ClientToolReference _tools;
    private readonly IGrainFactory _grainFactory;

    internal DSPexSession(IGrainFactory grainFactory, Func<IRouterGrain> router, TrackedCalls calls, string sessionId, SessionOptions options, JsonSerializerOptions json, int maxRequestBytes,
        Tools.ClientToolReference tools, string? sessionNamespace = null)
    {
        _tools = tools;
        _grainFactory = grainFactory;
        _router = router;
        _calls = calls;
        _maxRequestBytes = maxRequestBytes;
        SessionId = sessionId;
        Options = options;
        _json = json;
        // A client with an API key addresses its sessions in its credential's namespace (docs/security.md).
        _grainKey = Security.SessionKeys.GrainKey(sessionId, sessionNamespace);
        _grain = grainFactory.GetGrain<ISessionGrain>(_grainKey);
    }

    /// <summary>The session's id, as given (with an API key, the session grain's key adds the credential's namespace).</summary>
    public string SessionId { get; }

    private readonly string _grainKey;

    /// <summary>The options the session is created with on first use (TTL, affinity, metadata).</summary>
    public SessionOptions Options { get; }

    /// <summary>Creates the session if it does not exist (idempotent) and returns it.</summary>
    public async Task<SessionInfo> CreateAsync() => AsGiven(await RefusableAsync(() => _grain.CreateAsync(Options)).ConfigureAwait(false))!;

    /// <summary>The session, or null when it does not exist or has expired.</summary>
    public async Task<SessionInfo?> GetInfoAsync() => AsGiven(await ClusterCalls.GuardRepeatable(() => _grain.GetAsync()).ConfigureAwait(false));

    /// <summary>Extends the session's life by its TTL; false when it no longer exists.</summary>
    public Task<bool> TouchAsync() => ClusterCalls.GuardRepeatable(() => _grain.TouchAsync()).AsTask();

    /// <summary>Deletes the session, its variables and its programs.</summary>
    public Task DeleteAsync() => ClusterCalls.Guard(() => _grain.DeleteAsync());

    /// <summary>Runs a command with the session's variables on its preferred worker: raw JSON in and out; a failure throws its typed <see cref="Errors.DSPexException"/>.</summary>
    public async Task<string> ExecuteRawAsync(string command, string argsJson = "{}", ExecuteOptions? options = null, CancellationToken cancellationToken = default) =>
        Unwrap(await ExecuteResponseAsync(command, argsJson, options, cancellationToken).ConfigureAwait(false));

    /// <summary>Runs a command in the session and returns the response as it came, with a failure as its error instead of an exception.</summary>
    public Task<ExecuteResponse> ExecuteResponseAsync(string command, string argsJson = "{}", ExecuteOptions? options = null, CancellationToken cancellationToken = default)
    {
        ClientChecks.Command(command, nameof(command));
        ClientChecks.Json(argsJson, _maxRequestBytes, nameof(argsJson));
        ClientChecks.Options(options);
        // Through the gateway's router, so a call whose gateway dies is noticed (see TrackedCalls).
        // Every attempt carries the same call id: the session answers a repeat of a call that ran from its record.
        return _calls.ExecuteAsync(
            (callId, timeout, token) => new ValueTask<ExecuteResponse>(_router().ExecuteInSessionAsync(
                _grainKey, new ExecuteRequest(command, argsJson, timeout, Idempotent: options?.Idempotent ?? false, CallId: callId, Tools: _tools.Get(), Pool: options?.Pool), Options, token)),
            ExecuteOptions.RetryTermsOf(options), repeatsAnswered: true, cancellationToken);
    }

    /// <summary>Runs a command in the session with arguments and result through System.Text.Json.</summary>
    public async Task<TResult> ExecuteAsync<TResult>(string command, object? args = null, ExecuteOptions? options = null, CancellationToken cancellationToken = default) =>
        ClientChecks.Deserialize<TResult>(await ExecuteRawAsync(command, Serialize(args, nameof(args)), options, cancellationToken).ConfigureAwait(false), _json);

    /// <summary>
    /// Runs a command in the session whose args and result may carry bytes and arrays as binary parts, raw beside the
    /// JSON (as <see cref="DSPexClient.ExecuteDataAsync"/>): with the session's variables, on the worker that holds its
    /// programs, under its affinity mode, and at most once, as <see cref="ExecuteRawAsync"/>. A result with parts is not
    /// kept for a repeat: a call sent again after its answer was lost with a silo is answered with
    /// <see cref="Errors.SiloLostException"/> (it ran) rather than run again (docs/data.md#in-a-session).
    /// </summary>
    public async Task<DSPexData> ExecuteDataAsync(string command, object? args = null, ExecuteOptions? options = null, CancellationToken cancellationToken = default)
    {
        var checkedRequest = DataRequest(command, args, options);
        var response = await _calls.ExecuteAsync(
            (callId, timeout, token) => new ValueTask<ExecuteResponse>(_router().ExecuteInSessionAsync(
                _grainKey, checkedRequest with { Timeout = timeout, Idempotent = options?.Idempotent ?? false, CallId = callId }, Options, token)),
            ExecuteOptions.RetryTermsOf(options), repeatsAnswered: true, cancellationToken).ConfigureAwait(false);
        return DSPexData.Of(response);
    }

    /// <summary>
    /// Runs a generator command in the session and yields each item's raw JSON as the reader asks for it: with the
    /// session's variables (as they are when the stream starts), in its pool, on the worker that holds its programs
    /// when it is free, as <see cref="ExecuteRawAsync"/> runs. Backpressure, limits and stopping early are as for
    /// <see cref="DSPexClient.StreamRawAsync"/>; the variable changes a streamed command makes are not stored. A lost
    /// silo (the gateway, or the silo running the stream) ends it with <see cref="Errors.SiloLostException"/>; the session is left as it was.
    /// </summary>
    public IAsyncEnumerable<string> StreamRawAsync(string command, string argsJson = "{}", ExecuteOptions? options = null, CancellationToken cancellationToken = default)
    {
        // Checked now, not at the first MoveNextAsync, so a bad call fails where it is made.
        ClientChecks.Command(command, nameof(command));
        ClientChecks.Json(argsJson, _maxRequestBytes, nameof(argsJson));
        ClientChecks.Options(options);
        var request = new ExecuteRequest(command, argsJson, options?.Timeout, Tools: _tools.Get(), Pool: options?.Pool);
        return StreamReads.ReadAsync(_router().StreamInSessionAsync(_grainKey, request, Options), cancellationToken);
    }

    /// <summary>Runs a generator command in the session and deserialises each item (see <see cref="StreamRawAsync"/>).</summary>
    public async IAsyncEnumerable<TItem> StreamAsync<TItem>(string command, object? args = null, ExecuteOptions? options = null,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var raw in StreamRawAsync(command, Serialize(args, nameof(args)), options, cancellationToken).ConfigureAwait(false))
        {
            yield return ClientChecks.Deserialize<TItem>(raw, _json);
        }
    }

    /// <summary>Stores a program's spec in the session (a new revision if it exists) and returns its revision. A string spec is taken as JSON text.</summary>
    public async Task<int> CreateProgramAsync(string programId, object spec)
    {
        ClientChecks.Command(programId, nameof(programId));
        ClientChecks.Present(spec, nameof(spec));
        var specJson = Serialize(spec, nameof(spec));
        ClientChecks.Json(specJson, _maxRequestBytes, $"spec of program '{programId}'");
        return (await RefusableAsync(() => _grain.CreateProgramAsync(programId, specJson, Options)).ConfigureAwait(false)).Revision;
    }

    /// <summary>Runs a program of the session (rebuilt from its spec on a worker that lacks it): raw JSON in and out.</summary>
    public async Task<string> ExecuteProgramRawAsync(string programId, string argsJson = "{}", ExecuteOptions? options = null, CancellationToken cancellationToken = default) =>
        Unwrap(await ExecuteProgramResponseAsync(programId, argsJson, options, cancellationToken).ConfigureAwait(false));

    /// <summary>Runs a program of the session and returns the response as it came, with a failure as its error.</summary>
    public Task<ExecuteResponse> ExecuteProgramResponseAsync(string programId, string argsJson = "{}", ExecuteOptions? options = null, CancellationToken cancellationToken = default)
    {
        ClientChecks.Command(programId, nameof(programId));
        ClientChecks.Json(argsJson, _maxRequestBytes, nameof(argsJson));
        ClientChecks.Options(options);
        return _calls.ExecuteAsync(
            (callId, timeout, token) => new ValueTask<ExecuteResponse>(_router().ExecuteProgramAsync(_grainKey, programId, argsJson, timeout, callId, Options, _tools.Get(), token)),
            ExecuteOptions.RetryTermsOf(options), repeatsAnswered: true, cancellationToken);
    }

    /// <summary>Runs a program of the session with arguments and result through System.Text.Json.</summary>
    public async Task<TResult> ExecuteProgramAsync<TResult>(string programId, object? args = null, ExecuteOptions? options = null, CancellationToken cancellationToken = default) =>
        ClientChecks.Deserialize<TResult>(await ExecuteProgramRawAsync(programId, Serialize(args, nameof(args)), options, cancellationToken).ConfigureAwait(false), _json);

    /// <summary>The session's programs; empty when the session does not exist.</summary>
    public async Task<IReadOnlyList<ProgramInfo>> ListProgramsAsync() =>
        (await ClusterCalls.GuardRepeatable(() => _grain.GetAsync()).ConfigureAwait(false))?.Programs ?? [];

    /// <summary>Deletes a program; false when the session has no such program.</summary>
    public Task<bool> DeleteProgramAsync(string programId)
    {
        ClientChecks.Command(programId, nameof(programId));
        return ClusterCalls.Guard(() => _grain.DeleteProgramAsync(programId)).AsTask();
    }

    /// <summary>A variable read as <typeparamref name="T"/>; default when it is not set.</summary>
    public async Task<T?> GetVariableAsync<T>(string name)
    {
        ClientChecks.Id(name, nameof(name));
        using var variables = JsonDocument.Parse(await ClusterCalls.GuardRepeatable(() => _grain.GetVariablesAsync()).ConfigureAwait(false));
        if (!variables.RootElement.TryGetProperty(name, out var value))
        {
            return default;
        }

        try
        {
            return value.Deserialize<T>(_json);
        }
        catch (Exception e) when (e is JsonException or NotSupportedException)
        {
            throw new ResultNotSerializableException($"variable '{name}' could not be read as {typeof(T).Name}: {e.Message}", null, e);
        }
    }

    /// <summary>All variables as a JSON object.</summary>
    public Task<string> GetVariablesJsonAsync() => ClusterCalls.GuardRepeatable(() => _grain.GetVariablesAsync()).AsTask();

    /// <summary>Sets a variable (serialized with System.Text.Json); Python reads it with dspex.get_var.</summary>
    public Task SetVariableAsync<T>(string name, T value)
    {
        ClientChecks.Id(name, nameof(name));
        var valueJson = ClientChecks.SerializeValue(value, _json, nameof(value));
        ClientChecks.Json(valueJson, _maxRequestBytes, nameof(value));
        return RefusableAsync(async () =>
        {
            await _grain.SetVariableAsync(name, valueJson, Options).ConfigureAwait(false);
            return true;
        });
    }

    /// <summary>Deletes a variable; false when it was not set.</summary>
    public Task<bool> DeleteVariableAsync(string name)
    {
        ClientChecks.Id(name, nameof(name));
        return ClusterCalls.Guard(() => _grain.DeleteVariableAsync(name)).AsTask();
    }

    private string Serialize(object? args, string name) => ClientChecks.Serialize(args, _json, name, stringIsJson: true);

    /// <summary>
    /// A call the session may refuse (bad input, a session limit): <see cref="ClusterCalls.Guard{T}(Func{Task{T}})"/>
    /// turns the refusal into its typed exception.
    /// </summary>
    /// <summary>The session as the caller named it (its id without the namespace the grain key carries).</summary>
    private SessionInfo? AsGiven(SessionInfo? info) => info is null || info.SessionId == SessionId ? info : info with { SessionId = SessionId };

    private static Task<T> RefusableAsync<T>(Func<Task<T>> call) => ClusterCalls.Guard(call).AsTask();

    private static string Unwrap(ExecuteResponse response) =>
        response.Error is { } error ? throw DSPexException.From(error, response.WorkerId) : response.ResultJson!;
}

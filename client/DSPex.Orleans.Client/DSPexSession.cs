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
public sealed class DSPexSession
{
    private readonly ISessionGrain _grain;
    private readonly Func<IRouterGrain> _router;
    private readonly TrackedCalls _calls;
    private readonly JsonSerializerOptions _json;

    internal DSPexSession(IGrainFactory grainFactory, Func<IRouterGrain> router, TrackedCalls calls, string sessionId, SessionOptions options, JsonSerializerOptions json)
    {
        _router = router;
        _calls = calls;
        ArgumentException.ThrowIfNullOrEmpty(sessionId);
        SessionId = sessionId;
        Options = options;
        _json = json;
        _grain = grainFactory.GetGrain<ISessionGrain>(sessionId);
    }

    public string SessionId { get; }

    public SessionOptions Options { get; }

    /// <summary>Creates the session if it does not exist (idempotent) and returns it.</summary>
    public Task<SessionInfo> CreateAsync() => RefusableAsync(() => _grain.CreateAsync(Options));

    /// <summary>The session, or null when it does not exist or has expired.</summary>
    public Task<SessionInfo?> GetInfoAsync() => ClusterCalls.Guard(() => _grain.GetAsync()).AsTask();

    /// <summary>Extends the session's life by its TTL; false when it no longer exists.</summary>
    public Task<bool> TouchAsync() => ClusterCalls.Guard(() => _grain.TouchAsync()).AsTask();

    public Task DeleteAsync() => ClusterCalls.Guard(() => _grain.DeleteAsync());

    public async Task<string> ExecuteRawAsync(string command, string argsJson = "{}", ExecuteOptions? options = null, CancellationToken cancellationToken = default) =>
        Unwrap(await ExecuteResponseAsync(command, argsJson, options, cancellationToken));

    public Task<ExecuteResponse> ExecuteResponseAsync(string command, string argsJson = "{}", ExecuteOptions? options = null, CancellationToken cancellationToken = default) =>
        // Through the gateway's router, so a call whose gateway dies is noticed (see TrackedCalls).
        _calls.ExecuteAsync(
            (callId, token) => new ValueTask<ExecuteResponse>(_router().ExecuteInSessionAsync(
                SessionId, new ExecuteRequest(command, argsJson, options?.Timeout, Idempotent: options?.Idempotent ?? false, CallId: callId), Options, token)),
            options, cancellationToken);

    public async Task<TResult> ExecuteAsync<TResult>(string command, object? args = null, ExecuteOptions? options = null, CancellationToken cancellationToken = default) =>
        JsonSerializer.Deserialize<TResult>(await ExecuteRawAsync(command, Serialize(args), options, cancellationToken), _json)!;

    /// <summary>Stores a program's spec in the session (a new revision if it exists) and returns its revision.</summary>
    public async Task<int> CreateProgramAsync(string programId, object spec) =>
        (await RefusableAsync(() => _grain.CreateProgramAsync(programId, spec as string ?? JsonSerializer.Serialize(spec, _json), Options))).Revision;

    public async Task<string> ExecuteProgramRawAsync(string programId, string argsJson = "{}", ExecuteOptions? options = null, CancellationToken cancellationToken = default) =>
        Unwrap(await ExecuteProgramResponseAsync(programId, argsJson, options, cancellationToken));

    public Task<ExecuteResponse> ExecuteProgramResponseAsync(string programId, string argsJson = "{}", ExecuteOptions? options = null, CancellationToken cancellationToken = default) =>
        _calls.ExecuteAsync(
            (callId, token) => new ValueTask<ExecuteResponse>(_router().ExecuteProgramAsync(SessionId, programId, argsJson, options?.Timeout, callId, Options, token)),
            options, cancellationToken);

    public async Task<TResult> ExecuteProgramAsync<TResult>(string programId, object? args = null, ExecuteOptions? options = null, CancellationToken cancellationToken = default) =>
        JsonSerializer.Deserialize<TResult>(await ExecuteProgramRawAsync(programId, Serialize(args), options, cancellationToken), _json)!;

    public async Task<IReadOnlyList<ProgramInfo>> ListProgramsAsync() =>
        (await ClusterCalls.Guard(() => _grain.GetAsync()))?.Programs ?? [];

    public Task<bool> DeleteProgramAsync(string programId) => ClusterCalls.Guard(() => _grain.DeleteProgramAsync(programId)).AsTask();

    public async Task<T?> GetVariableAsync<T>(string name)
    {
        using var variables = JsonDocument.Parse(await ClusterCalls.Guard(() => _grain.GetVariablesAsync()));
        return variables.RootElement.TryGetProperty(name, out var value) ? value.Deserialize<T>(_json) : default;
    }

    /// <summary>All variables as a JSON object.</summary>
    public Task<string> GetVariablesJsonAsync() => ClusterCalls.Guard(() => _grain.GetVariablesAsync()).AsTask();

    public Task SetVariableAsync<T>(string name, T value) =>
        RefusableAsync(async () =>
        {
            await _grain.SetVariableAsync(name, JsonSerializer.Serialize(value, _json), Options);
            return true;
        });

    public Task<bool> DeleteVariableAsync(string name) => ClusterCalls.Guard(() => _grain.DeleteVariableAsync(name)).AsTask();

    private string Serialize(object? args) => args as string ?? JsonSerializer.Serialize(args ?? new { }, _json);

    /// <summary>A call the session may refuse (bad input, a session limit): the refusal becomes its typed exception.</summary>
    private static async Task<T> RefusableAsync<T>(Func<Task<T>> call)
    {
        try
        {
            return await ClusterCalls.Guard(call);
        }
        catch (DSPexRequestException e)
        {
            throw DSPexException.From(e.ToError(), null);
        }
    }

    private static string Unwrap(ExecuteResponse response) =>
        response.Error is { } error ? throw DSPexException.From(error, response.WorkerId) : response.ResultJson!;
}

using Orleans.Concurrency;
using DSPex.Orleans.Contracts;

namespace DSPex.Orleans.Grains;

/// <summary>
/// One session: its state, programs, variables and worker affinity, persisted through the "sessions" grain
/// storage. Calls on a missing or expired session create it (idempotently) with the options given. Input that is
/// malformed or over a session limit is refused before anything changes: as the response's error on the execute
/// calls, as a <see cref="DSPexRequestException"/> (InvalidArguments or SessionLimitExceeded) on the others.
/// </summary>
public interface ISessionGrain : IGrainWithStringKey
{
    Task<SessionInfo> CreateAsync(SessionOptions options);

    /// <summary>The session, or null when it does not exist (never created, deleted or expired).</summary>
    [AlwaysInterleave]
    Task<SessionInfo?> GetAsync();

    /// <summary>Extends the session's life by its TTL; false when it does not exist.</summary>
    Task<bool> TouchAsync();

    Task DeleteAsync();

    [ResponseTimeout(CallTracking.ExecuteResponseTimeout)]
    Task<ExecuteResponse> ExecuteAsync(ExecuteRequest request, SessionOptions options, CancellationToken cancellationToken = default);

    Task<ProgramInfo> CreateProgramAsync(string programId, string specJson, SessionOptions options);

    [ResponseTimeout(CallTracking.ExecuteResponseTimeout)]
    Task<ExecuteResponse> ExecuteProgramAsync(string programId, string argsJson, TimeSpan? timeout, SessionOptions options, Tools.ClientTools? tools = null, CancellationToken cancellationToken = default);

    Task<bool> DeleteProgramAsync(string programId);

    /// <summary>Variables as a JSON object (name -> value); "{}" when none or no session.</summary>
    Task<string> GetVariablesAsync();

    Task SetVariableAsync(string name, string valueJson, SessionOptions options);

    Task<bool> DeleteVariableAsync(string name);
}

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
    /// <summary>Creates the session with these options if it does not exist (idempotent) and returns it.</summary>
    Task<SessionInfo> CreateAsync(SessionOptions options);

    /// <summary>The session, or null when it does not exist (never created, deleted or expired).</summary>
    [AlwaysInterleave]
    Task<SessionInfo?> GetAsync();

    /// <summary>Extends the session's life by its TTL; false when it does not exist.</summary>
    Task<bool> TouchAsync();

    /// <summary>Deletes the session and its stored state; its programs are dropped from the workers.</summary>
    Task DeleteAsync();

    /// <summary>Runs a request with the session's variables, preferring the worker that holds its programs.</summary>
    [ResponseTimeout(CallTracking.ExecuteResponseTimeout)]
    Task<ExecuteResponse> ExecuteAsync(ExecuteRequest request, SessionOptions options, CancellationToken cancellationToken = default);

    /// <summary>Creates or replaces a program from its spec; workers build it on first use.</summary>
    Task<ProgramInfo> CreateProgramAsync(string programId, string specJson, SessionOptions options);

    /// <summary>Runs a program of the session, rebuilding it from its spec on a worker that lacks it.</summary>
    [ResponseTimeout(CallTracking.ExecuteResponseTimeout)]
    Task<ExecuteResponse> ExecuteProgramAsync(string programId, string argsJson, TimeSpan? timeout, SessionOptions options, Tools.ClientTools? tools = null, CancellationToken cancellationToken = default);

    /// <summary>Deletes a program; false when the session has no such program.</summary>
    Task<bool> DeleteProgramAsync(string programId);

    /// <summary>Variables as a JSON object (name -> value); "{}" when none or no session.</summary>
    Task<string> GetVariablesAsync();

    /// <summary>Sets a session variable to a JSON value; Python reads it with get_var.</summary>
    Task SetVariableAsync(string name, string valueJson, SessionOptions options);

    /// <summary>Deletes a variable; false when it did not exist.</summary>
    Task<bool> DeleteVariableAsync(string name);
}

using Orleans.Concurrency;
using DSPex.Orleans.Contracts;

namespace DSPex.Orleans.Grains;

/// <summary>
/// One session: its state, programs, variables and worker affinity, persisted through the "sessions" grain
/// storage. Calls on a missing or expired session create it (idempotently) with the options given. Input that is
/// malformed or over a session limit is refused before anything changes: as the response's error on the execute
/// calls, as a <see cref="DSPexRequestException"/> (InvalidArguments or SessionLimitExceeded) on the others.
/// </summary>
// Aliases: the interface keeps its full name and each method the id Orleans derived from its signature in the
// first release, so releases that differ in names or signatures still call each other (docs/operations.md#upgrading).
[Alias("DSPex.Orleans.Grains.ISessionGrain")]
public interface ISessionGrain : IGrainWithStringKey
{
    /// <summary>Creates the session with these options if it does not exist (idempotent) and returns it.</summary>
    [Alias("6C0A7336")]
    Task<SessionInfo> CreateAsync(SessionOptions options);

    /// <summary>The session, or null when it does not exist (never created, deleted or expired).</summary>
    [AlwaysInterleave]
    [Alias("C92EFCB2")]
    Task<SessionInfo?> GetAsync();

    /// <summary>Extends the session's life by its TTL; false when it does not exist.</summary>
    [Alias("CFD1DD41")]
    Task<bool> TouchAsync();

    /// <summary>Deletes the session and its stored state; its programs are dropped from the workers.</summary>
    [Alias("522A4A41")]
    Task DeleteAsync();

    /// <summary>Runs a request with the session's variables, preferring the worker that holds its programs.</summary>
    [ResponseTimeout(CallTracking.ExecuteResponseTimeout)]
    [Alias("826F597D")]
    Task<ExecuteResponse> ExecuteAsync(ExecuteRequest request, SessionOptions options, CancellationToken cancellationToken = default);

    /// <summary>
    /// Starts a stream in the session: the request with the session's variables and pool, and the worker it prefers,
    /// for the gateway to stream from (the session grain does not hold the stream, so the session's other calls run
    /// while it streams). Refused as <see cref="ExecuteAsync"/> refuses (another credential's session: SessionNotFound).
    /// </summary>
    [Alias("StartStream")]
    Task<SessionStreamStart> StartStreamAsync(ExecuteRequest request, SessionOptions options);

    /// <summary>Creates or replaces a program from its spec; workers build it on first use.</summary>
    [Alias("6B40421B")]
    Task<ProgramInfo> CreateProgramAsync(string programId, string specJson, SessionOptions options);

    /// <summary>Runs a program of the session, rebuilding it from its spec on a worker that lacks it.</summary>
    [ResponseTimeout(CallTracking.ExecuteResponseTimeout)]
    [Alias("7025B14B")]
    Task<ExecuteResponse> ExecuteProgramAsync(string programId, string argsJson, TimeSpan? timeout, SessionOptions options, Tools.ClientTools? tools = null, CancellationToken cancellationToken = default);

    /// <summary>Deletes a program; false when the session has no such program.</summary>
    [Alias("FFA74E47")]
    Task<bool> DeleteProgramAsync(string programId);

    /// <summary>Variables as a JSON object (name -> value); "{}" when none or no session.</summary>
    [Alias("359234F5")]
    Task<string> GetVariablesAsync();

    /// <summary>Sets a session variable to a JSON value; Python reads it with get_var.</summary>
    [Alias("281877D1")]
    Task SetVariableAsync(string name, string valueJson, SessionOptions options);

    /// <summary>Deletes a variable; false when it did not exist.</summary>
    [Alias("51ED6EDE")]
    Task<bool> DeleteVariableAsync(string name);
}

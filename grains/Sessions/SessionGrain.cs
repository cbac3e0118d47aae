using DSPex.Orleans.Configuration;
using DSPex.Orleans.Contracts;
using DSPex.Orleans.Grains;
using DSPex.Orleans.Routing;
using DSPex.Orleans.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DSPex.Orleans.Sessions;

/// <summary>
/// One session, replacing a central session store. Calls are serialised per session (the grain is not
/// reentrant), so two concurrent first calls create one session. Every change that must survive a crash (creation,
/// programs, variables, the worker the session follows) is written to the "sessions" storage before the call
/// returns, and a change that cannot be saved is undone in memory; a call that changes none of them writes nothing
/// then (its counters and sliding expiry are written later: see SessionGrain.Saving).
/// The grain holds no timer: an idle session is collected like any idle grain and lives on in storage. Expiry
/// is lazy: whenever the session is activated or called after its last access plus TTL, it is cleared and
/// gone. Redis expires the stored key with the TTL; with in-memory storage, a reminder left at deactivation
/// clears a session nobody touches again.
/// </summary>
internal sealed partial class SessionGrain(
    [PersistentState("session", DSPexSessionOptions.StorageName)] IPersistentState<SessionState> state,
    PoolDispatcher dispatcher,
    ISessionKeyExpiry keyExpiry,
    IOptions<DSPexSessionOptions> options,
    SessionClock clock,
    SessionActivations activations,
    ILogger<SessionGrain> logger) : Grain, ISessionGrain, IRemindable, IIncomingGrainCallFilter
{
    private readonly SessionLimits _limits = new(options.Value);

    private SessionState Session => state.State;

    private string SessionId => this.GetPrimaryKeyString();

    // Sessions belong to the credential that created them.
    Task IIncomingGrainCallFilter.Invoke(IIncomingGrainCallContext context) =>
        SessionOwnership.InvokeAsync(context, state, Session.Exists && !Session.IsExpired(clock.UtcNow), SessionId);

    public async Task<SessionInfo> CreateAsync(SessionOptions options)
    {
        CheckRequest(options);
        return await ChangeAsync(options, () => Task.FromResult(Session.ToInfo(SessionId)));
    }

    public Task<SessionInfo?> GetAsync() =>
        Task.FromResult(Session.Exists && !Session.IsExpired(clock.UtcNow) ? Session.ToInfo(SessionId) : null);

    public async Task<bool> TouchAsync()
    {
        if (!_limits.IsValidSessionId(SessionId) || !await ExistsAsync())
        {
            return false;
        }

        // Touch exists to keep the session: its new expiry is written now.
        var before = Session.Copy();
        Session.LastAccessAt = clock.UtcNow;
        Session.HasUnsavedChanges = true;
        await SaveOrUndoAsync(before);
        return true;
    }

    public async Task DeleteAsync()
    {
        await ExpireAsync();
        this.DeactivateOnIdle();
    }

    public async Task<ExecuteResponse> ExecuteAsync(ExecuteRequest request, SessionOptions options, CancellationToken cancellationToken)
    {
        // A session this call creates, naming no pool, runs in the pool of the call's command: a first call to a named
        // pool's command does not pin the session to the default pool, where the command is unknown.
        if (options.Pool is null && request.Pool is null && _limits.IsValidSessionId(SessionId) && !await ExistsAsync()
            && await dispatcher.PoolOfCommandAsync(request.Command) is { } pool)
        {
            options = options with { Pool = pool };
        }

        return await RespondAsync(options, () => AtMostOnceAsync(request.CallId, request.Idempotent, () => RunAsync(request with { Program = null }, SessionCounters.Calls, cancellationToken)));
    }

    public async Task<ProgramInfo> CreateProgramAsync(string programId, string specJson, SessionOptions options)
    {
        CheckRequest(options);
        _limits.CheckName(programId, "program id");
        var spec = _limits.ParseSpec(programId, specJson);
        return await ChangeAsync(options, () => Task.FromResult(Session.SetProgram(programId, spec, clock.UtcNow, _limits)));
    }

    public Task<ExecuteResponse> ExecuteProgramAsync(string programId, string argsJson, TimeSpan? timeout, SessionOptions options, Tools.ClientTools? tools, CancellationToken cancellationToken) =>
        RespondAsync(options, async () =>
        {
            if (!Session.Programs.TryGetValue(programId, out var program))
            {
                return ExecuteResponse.Failure(DSPexErrorKind.ProgramNotFound,
                    $"session '{SessionId}' has no program '{programId}' (it has: {string.Join(", ", Session.Programs.Keys)})");
            }

            var call = new ProgramCall(programId, program.Revision, program.Spec.GetRawText());
            return await AtMostOnceAsync(SessionCallId.Current(), idempotent: false,
                () => RunAsync(new ExecuteRequest($"program:{programId}", argsJson, timeout, Program: call, Tools: tools), SessionCounters.ProgramCalls, cancellationToken));
        });

    public Task<bool> DeleteProgramAsync(string programId) => RemoveAsync(session => session.Remove(session.Programs, programId));

    public async Task<string> GetVariablesAsync() =>
        _limits.IsValidSessionId(SessionId) && await ExistsAsync() ? Session.VariablesJson() : "{}";

    public async Task SetVariableAsync(string name, string valueJson, SessionOptions options)
    {
        CheckRequest(options);
        _limits.CheckName(name, "variable name");
        var value = _limits.ParseVariable(name, valueJson);
        await ChangeAsync(options, () =>
        {
            Session.SetVariable(name, value, _limits);
            return Task.FromResult(true);
        });
    }

    public Task<bool> DeleteVariableAsync(string name) => RemoveAsync(session => session.Remove(session.Variables, name));

    /// <summary>Validates what a call brings before the session is touched, so a refused call persists nothing.</summary>
    private void CheckRequest(SessionOptions options)
    {
        _limits.CheckSessionId(SessionId);
        _limits.CheckOptions(options);
    }

    /// <summary>
    /// Runs a change on the live session (created with <paramref name="options"/> when missing) and saves what must
    /// be saved. When the change is refused or cannot be saved, the session in memory is put back as it was.
    /// </summary>
    private async Task<T> ChangeAsync<T>(SessionOptions options, Func<Task<T>> change)
    {
        var before = Session.Copy();
        try
        {
            await EnsureLiveAsync(options);
            var result = await change();
            await SaveAccessAsync();
            return result;
        }
        catch
        {
            // Calls that ran stay recorded when their change is undone, so a repeat is answered rather than run again.
            var recorded = Session.RecentCalls;
            state.State = before;
            Session.RecentCalls = recorded;
            throw;
        }
    }

    /// <summary>A change on the request path: a refusal is the response's typed error rather than an exception.</summary>
    private async Task<ExecuteResponse> RespondAsync(SessionOptions options, Func<Task<ExecuteResponse>> run)
    {
        try
        {
            CheckRequest(options);
            return await ChangeAsync(options, run);
        }
        catch (DSPexRequestException e)
        {
            return ExecuteResponse.Failure(e.ToError());
        }
    }

    /// <summary>Removes something from an existing session and saves it; false when there was nothing to remove.</summary>
    private async Task<bool> RemoveAsync(Func<SessionState, bool> remove)
    {
        if (!_limits.IsValidSessionId(SessionId) || !await ExistsAsync())
        {
            return false;
        }

        var before = Session.Copy();
        if (!remove(Session))
        {
            return false;
        }

        Session.LastAccessAt = clock.UtcNow;
        await SaveOrUndoAsync(before);
        return true;
    }

    private async Task SaveOrUndoAsync(SessionState before)
    {
        try
        {
            await WriteAsync();
        }
        catch
        {
            state.State = before;
            throw;
        }
    }

    private async Task<ExecuteResponse> RunAsync(ExecuteRequest request, string counter, CancellationToken cancellationToken)
    {
        if (request.Pool is { } named && named != Session.PoolName)
        {
            return ExecuteResponse.Failure(DSPexErrorKind.InvalidArguments,
                $"session '{SessionId}' runs in pool {Session.PoolName}; a call in it cannot name pool {named}");
        }

        var response = await dispatcher.WithSessionPoolHintAsync(SessionId, Session.PoolName, request.Command, await dispatcher.DispatchAsync(
            request with { Session = new SessionCallContext(SessionId, Session.VariablesJson()), Pool = Session.PoolName }, Session.WorkerAffinity(), cancellationToken));
        Session.RecordRun(response, counter);
        if (response.SessionUpdatesJson is not { } updates)
        {
            return response;
        }

        try
        {
            Session.ApplyVariableUpdates(updates, _limits);
            return response;
        }
        catch (DSPexRequestException e)
        {
            // The command ran, but its variable changes are not kept: the caller learns why, the session stays as it was.
            Session.Increment(SessionCounters.Errors);
            return ExecuteResponse.Failure(
                new ExecuteError(e.Kind, $"the command's variable changes were not stored: {e.Message}"), response.WorkerId, response.WorkerPid);
        }
    }

    /// <summary>True when the session exists and has not expired; an expired one is removed on the way.</summary>
    private async Task<bool> ExistsAsync()
    {
        if (Session.IsExpired(clock.UtcNow))
        {
            await ExpireAsync();
        }

        return Session.Exists;
    }

    /// <summary>Creates the session in memory when it does not exist; it is stored by the change's save.</summary>
    private async Task EnsureLiveAsync(SessionOptions sessionOptions)
    {
        if (await ExistsAsync())
        {
            return;
        }

        // The creating credential is stored with the session in its first write (SessionOwnership reads it).
        state.State = SessionState.Start(clock.UtcNow, _limits.CheckOptions(sessionOptions), sessionOptions.Affinity ?? options.Value.DefaultAffinity,
            sessionOptions.Metadata, RequestContext.Get(Security.CallCredentials.Principal) as string, sessionOptions.Pool);
    }
}

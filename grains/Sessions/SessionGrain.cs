using System.Text.Json;
using DSPex.Orleans.Contracts;
using DSPex.Orleans.Grains;
using DSPex.Orleans.Routing;
using DSPex.Orleans.Sessions.Storage;
using Microsoft.Extensions.Options;

namespace DSPex.Orleans.Sessions;

/// <summary>
/// One session, replacing a central session store. Calls are serialised per session (the grain is not
/// reentrant), so two concurrent first calls create one session. Every change is written through to the
/// "sessions" storage before the call returns; an expired session is cleared from storage and is gone.
/// </summary>
internal sealed class SessionGrain(
    [PersistentState("session", DSPexSessionOptions.StorageName)] IPersistentState<SessionState> state,
    PoolDispatcher dispatcher,
    ISessionKeyExpiry keyExpiry,
    IOptions<DSPexSessionOptions> defaults,
    TimeProvider clock) : Grain, ISessionGrain, IIncomingGrainCallFilter
{
    private IGrainTimer? _expiryTimer;

    private SessionState Session => state.State;

    private string SessionId => this.GetPrimaryKeyString();

    // Sessions belong to the credential that created them.
    Task IIncomingGrainCallFilter.Invoke(IIncomingGrainCallContext context) =>
        Security.SessionOwnership.InvokeAsync(context, state, Session.Exists && !Session.IsExpired(clock.GetUtcNow()), SessionId);

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        Telemetry.SessionActivations.Deactivated();
        return Task.CompletedTask;
    }

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        Telemetry.SessionActivations.Activated();
        if (Session.IsExpired(clock.GetUtcNow()))
        {
            await ExpireAsync();
        }
        else if (Session.Exists)
        {
            ArmExpiryTimer();
        }
    }

    public async Task<SessionInfo> CreateAsync(SessionOptions options)
    {
        await EnsureLiveAsync(options);
        await SaveAsync();
        return Info();
    }

    public Task<SessionInfo?> GetAsync() =>
        Task.FromResult(Session.Exists && !Session.IsExpired(clock.GetUtcNow()) ? Info() : null);

    public async Task<bool> TouchAsync()
    {
        if (!await ExistsAsync())
        {
            return false;
        }

        await SaveAsync();
        return true;
    }

    public async Task DeleteAsync()
    {
        await ExpireAsync();
        this.DeactivateOnIdle();
    }

    public async Task<ExecuteResponse> ExecuteAsync(ExecuteRequest request, SessionOptions options, CancellationToken cancellationToken)
    {
        await EnsureLiveAsync(options);
        return await RunAsync(request with { Program = null }, "calls", cancellationToken);
    }

    public async Task<ProgramInfo> CreateProgramAsync(string programId, string specJson, SessionOptions options)
    {
        ArgumentException.ThrowIfNullOrEmpty(programId);
        JsonElement spec;
        try
        {
            using var document = JsonDocument.Parse(specJson);
            spec = document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"Program spec of '{programId}' is not valid JSON: {e.Message}", nameof(specJson));
        }

        await EnsureLiveAsync(options);
        var revision = Session.Programs.TryGetValue(programId, out var existing) ? existing.Revision + 1 : 1;
        Session.Programs[programId] = new StoredProgram { Revision = revision, UpdatedAt = clock.GetUtcNow(), Spec = spec };
        await SaveAsync();
        return new ProgramInfo(programId, revision, Session.Programs[programId].UpdatedAt);
    }

    public async Task<ExecuteResponse> ExecuteProgramAsync(string programId, string argsJson, TimeSpan? timeout, SessionOptions options, CancellationToken cancellationToken)
    {
        await EnsureLiveAsync(options);
        if (!Session.Programs.TryGetValue(programId, out var program))
        {
            return ExecuteResponse.Failure(DSPexErrorKind.ProgramNotFound,
                $"session '{SessionId}' has no program '{programId}' (it has: {string.Join(", ", Session.Programs.Keys)})");
        }

        var call = new ProgramCall(programId, program.Revision, program.Spec.GetRawText());
        return await RunAsync(new ExecuteRequest($"program:{programId}", argsJson, timeout, Program: call), "program_calls", cancellationToken);
    }

    public async Task<bool> DeleteProgramAsync(string programId)
    {
        if (!await ExistsAsync() || !Session.Programs.Remove(programId))
        {
            return false;
        }

        await SaveAsync();
        return true;
    }

    public async Task<string> GetVariablesAsync() =>
        await ExistsAsync() ? VariablesJson() : "{}";

    public async Task SetVariableAsync(string name, string valueJson, SessionOptions options)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        JsonElement value;
        try
        {
            using var document = JsonDocument.Parse(valueJson);
            value = document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"Value of variable '{name}' is not valid JSON: {e.Message}", nameof(valueJson));
        }

        await EnsureLiveAsync(options);
        Session.Variables[name] = value;
        await SaveAsync();
    }

    public async Task<bool> DeleteVariableAsync(string name)
    {
        if (!await ExistsAsync() || !Session.Variables.Remove(name))
        {
            return false;
        }

        await SaveAsync();
        return true;
    }

    private async Task<ExecuteResponse> RunAsync(ExecuteRequest request, string counter, CancellationToken cancellationToken)
    {
        var affinity = Session.LastWorkerId is { } worker ? new WorkerAffinity(worker, Session.LastWorkerPid, Session.Affinity) : null;
        var response = await dispatcher.DispatchAsync(
            request with { Session = new SessionCallContext(SessionId, VariablesJson()) }, affinity, cancellationToken);

        Increment(counter);
        if (response.Error is { } error)
        {
            Increment("errors");
            if (error.Kind == DSPexErrorKind.SessionWorkerUnavailable)
            {
                // The worker that held this session's programs is gone: the next call runs anywhere and rebuilds them.
                Session.LastWorkerId = null;
                Session.LastWorkerPid = 0;
            }
        }

        if (response.WorkerId is { } workerId && response.WorkerPid != 0 && RanOnWorker(response))
        {
            if (Session.LastWorkerId is not null && (Session.LastWorkerId != workerId || Session.LastWorkerPid != response.WorkerPid))
            {
                Increment("moves");
            }

            Session.LastWorkerId = workerId;
            Session.LastWorkerPid = response.WorkerPid;
        }

        ApplyVariableUpdates(response.SessionUpdatesJson);
        await SaveAsync();
        return response;

        static bool RanOnWorker(ExecuteResponse r) =>
            r.Error is null || r.Error.Kind is DSPexErrorKind.PythonException or DSPexErrorKind.UnknownCommand or DSPexErrorKind.ResultNotSerializable;
    }

    private void ApplyVariableUpdates(string? updatesJson)
    {
        if (updatesJson is null)
        {
            return;
        }

        using var document = JsonDocument.Parse(updatesJson);
        if (document.RootElement.TryGetProperty("set", out var set))
        {
            foreach (var variable in set.EnumerateObject())
            {
                Session.Variables[variable.Name] = variable.Value.Clone();
            }
        }

        if (document.RootElement.TryGetProperty("deleted", out var deleted))
        {
            foreach (var name in deleted.EnumerateArray())
            {
                Session.Variables.Remove(name.GetString()!);
            }
        }
    }

    private string VariablesJson() =>
        JsonSerializer.Serialize(Session.Variables, SessionStateJsonContext.Default.DictionaryStringJsonElement);

    private void Increment(string counter) =>
        Session.Counters[counter] = Session.Counters.GetValueOrDefault(counter) + 1;

    /// <summary>True when the session exists and has not expired; an expired one is removed on the way.</summary>
    private async Task<bool> ExistsAsync()
    {
        if (Session.IsExpired(clock.GetUtcNow()))
        {
            await ExpireAsync();
        }

        return Session.Exists;
    }

    private async Task EnsureLiveAsync(SessionOptions options)
    {
        if (await ExistsAsync())
        {
            return;
        }

        var now = clock.GetUtcNow();
        state.State = new SessionState
        {
            Exists = true,
            CreatedAt = now,
            LastAccessAt = now,
            TtlSeconds = (options.Ttl ?? defaults.Value.DefaultTtl).TotalSeconds,
            Affinity = options.Affinity ?? defaults.Value.DefaultAffinity,
            Metadata = options.Metadata is null ? [] : new Dictionary<string, string>(options.Metadata),
        };
        ArmExpiryTimer();
    }

    /// <summary>Writes the session and slides its expiry; the store's key expires with it.</summary>
    private async Task SaveAsync()
    {
        Session.LastAccessAt = clock.GetUtcNow();
        await state.WriteStateAsync();
        await keyExpiry.ExpireAsync(SessionId, Session.Ttl);
    }

    private async Task ExpireAsync()
    {
        _expiryTimer?.Dispose();
        _expiryTimer = null;
        if (state.RecordExists)
        {
            await state.ClearStateAsync();
        }

        state.State = new SessionState();
    }

    /// <summary>
    /// Fires when the session would expire if untouched; a touched session re-arms for what is left. The timer
    /// keeps the grain active, so a session in memory storage is removed on time too.
    /// </summary>
    private void ArmExpiryTimer()
    {
        _expiryTimer?.Dispose();
        var due = Session.LastAccessAt + Session.Ttl - clock.GetUtcNow();
        _expiryTimer = this.RegisterGrainTimer(OnExpiryDueAsync, new GrainTimerCreationOptions
        {
            DueTime = due > TimeSpan.Zero ? due : TimeSpan.Zero,
            Period = Timeout.InfiniteTimeSpan,
            KeepAlive = true,
        });
    }

    private async Task OnExpiryDueAsync(CancellationToken cancellationToken)
    {
        if (Session.IsExpired(clock.GetUtcNow()))
        {
            await ExpireAsync();
            this.DeactivateOnIdle();
        }
        else if (Session.Exists)
        {
            ArmExpiryTimer();
        }
    }

    private SessionInfo Info() => new(
        SessionId,
        Session.CreatedAt,
        Session.LastAccessAt,
        Session.Ttl,
        Session.Affinity,
        Session.LastWorkerId,
        Session.LastWorkerPid,
        new Dictionary<string, string>(Session.Metadata),
        new Dictionary<string, long>(Session.Counters),
        [.. Session.Programs.Select(p => new ProgramInfo(p.Key, p.Value.Revision, p.Value.UpdatedAt))],
        [.. Session.Variables.Keys]);
}

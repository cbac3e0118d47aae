using System.Text.Json;
using DSPex.Orleans.Contracts;
using DSPex.Orleans.Sessions.Storage;

namespace DSPex.Orleans.Sessions;

/// <summary>The changes a session goes through, each in one place; the grain decides when, and saves or undoes them.</summary>
internal sealed partial class SessionState
{
    /// <summary>A new live session, owned by <paramref name="owner"/> (the creating credential, if any).</summary>
    internal static SessionState Start(DateTimeOffset now, TimeSpan ttl, AffinityMode affinity, IReadOnlyDictionary<string, string>? metadata, string? owner, string? pool = null) => new()
    {
        Pool = pool == PoolNames.Default ? null : pool,
        Exists = true,
        HasUnsavedChanges = true,
        Owner = owner,
        CreatedAt = now,
        LastAccessAt = now,
        TtlSeconds = ttl.TotalSeconds,
        Affinity = affinity,
        Metadata = metadata is null ? [] : new Dictionary<string, string>(metadata),
    };

    /// <summary>The worker the session's last call ran on, for the next call's routing; null before the first.</summary>
    internal WorkerAffinity? WorkerAffinity() => LastWorkerId is { } worker ? new WorkerAffinity(worker, LastWorkerPid, Affinity) : null;

    internal string VariablesJson() => JsonSerializer.Serialize(Variables, SessionStateJsonContext.Default.DictionaryStringJsonElement);

    internal void Increment(string counter) => Counters[counter] = Counters.GetValueOrDefault(counter) + 1;

    /// <summary>
    /// Counts a finished call under <paramref name="counter"/> (and as an error when it failed) and follows the worker
    /// it ran on: a call on another worker counts as a move; a lost session worker is forgotten, so the next call runs
    /// anywhere and rebuilds what the worker held.
    /// </summary>
    internal void RecordRun(ExecuteResponse response, string counter)
    {
        Increment(counter);
        if (response.Error is { } error)
        {
            Increment(SessionCounters.Errors);
            if (error.Kind == DSPexErrorKind.SessionWorkerUnavailable && LastWorkerId is not null)
            {
                HasUnsavedChanges = true;
                LastWorkerId = null;
                LastWorkerPid = 0;
            }
        }

        if (response.WorkerId is { } workerId && response.WorkerPid != 0 && RanOnWorker(response.Error))
        {
            if (LastWorkerId != workerId || LastWorkerPid != response.WorkerPid)
            {
                // A routing hint, but strict affinity waits for it or fails on it: a move is written before the reply.
                HasUnsavedChanges = true;
                if (LastWorkerId is not null)
                {
                    Increment(SessionCounters.Moves);
                }
            }

            LastWorkerId = workerId;
            LastWorkerPid = response.WorkerPid;
        }
    }

    /// <summary>Keeps the variable changes a Python command made; over a limit, none of them (a DSPexRequestException says why).</summary>
    internal void ApplyVariableUpdates(string updatesJson, SessionLimits limits)
    {
        var (variables, changed) = VariableUpdates.Apply(Variables, updatesJson, limits);
        if (changed)
        {
            Variables = variables;
            HasUnsavedChanges = true;
        }
    }

    /// <summary>Creates or replaces a program, one revision up.</summary>
    internal ProgramInfo SetProgram(string programId, JsonElement spec, DateTimeOffset now, SessionLimits limits)
    {
        limits.CheckProgramCount(Programs, programId);
        var revision = Programs.TryGetValue(programId, out var existing) ? existing.Revision + 1 : 1;
        Programs[programId] = new StoredProgram { Revision = revision, UpdatedAt = now, Spec = spec };
        HasUnsavedChanges = true;
        return new ProgramInfo(programId, revision, now);
    }

    internal void SetVariable(string name, JsonElement value, SessionLimits limits)
    {
        var variables = new Dictionary<string, JsonElement>(Variables) { [name] = value };
        limits.CheckVariables(variables);
        Variables = variables;
        HasUnsavedChanges = true;
    }

    /// <summary>Removes a program or variable; true (and to be written) when there was one.</summary>
    internal bool Remove<T>(Dictionary<string, T> entries, string name)
    {
        var removed = entries.Remove(name);
        HasUnsavedChanges |= removed;
        return removed;
    }

    internal SessionInfo ToInfo(string sessionId) => new(
        sessionId,
        CreatedAt,
        LastAccessAt,
        Ttl,
        Affinity,
        LastWorkerId,
        LastWorkerPid,
        new Dictionary<string, string>(Metadata),
        new Dictionary<string, long>(Counters),
        [.. Programs.Select(p => new ProgramInfo(p.Key, p.Value.Revision, p.Value.UpdatedAt))],
        [.. Variables.Keys],
        PoolName);

    // A call that reached Python ran on that worker, even when the command failed there.
    private static bool RanOnWorker(ExecuteError? error) =>
        error is null || error.Kind is DSPexErrorKind.PythonException or DSPexErrorKind.UnknownCommand or DSPexErrorKind.ResultNotSerializable;
}

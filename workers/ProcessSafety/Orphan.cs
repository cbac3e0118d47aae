namespace DSPex.Orleans.Workers.ProcessSafety;

/// <summary>A process a sweep proved ours and ownerless, with the identity the terminator re-checks before any signal.</summary>
/// <remarks>
/// MarkerInEnvironment: the process is something a worker's code spawned; it carries the marker in its inherited
/// environment rather than on its command line. SignalGroup: it leads a group (pgid == pid, re-read before any
/// signal) whose other members are ours too, so the group goes with it. Reap: it was re-parented to this silo
/// (child subreaper) and is not a child .NET waits for, so this silo collects its exit status.
/// </remarks>
internal sealed record Orphan(
    int Pid,
    ulong StartTime,
    string Marker,
    string WorkerId,
    string Reason,
    bool MarkerInEnvironment = false,
    bool SignalGroup = false,
    bool Reap = false);

internal enum TerminationOutcome
{
    /// <summary>Its group ended within the grace period after SIGTERM.</summary>
    Graceful,

    /// <summary>It took SIGKILL.</summary>
    Forced,

    /// <summary>It exited (or became a zombie) before any signal.</summary>
    AlreadyGone,

    /// <summary>The pid now names another process (start time, owner or marker changed): nothing was signalled.</summary>
    NoLongerOurs,

    Failed,
}

internal sealed record TerminationResult(Orphan Orphan, TerminationOutcome Outcome, string? Error = null);

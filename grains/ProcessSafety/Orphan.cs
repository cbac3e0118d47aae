namespace DSPex.Orleans.ProcessSafety;

/// <summary>A process a sweep proved ours and ownerless, with the identity the terminator re-checks before any signal.</summary>
/// <remarks>
/// MarkerInEnvironment: the process is something a worker's code spawned, found in the group its dead worker led;
/// it carries the marker in its inherited environment rather than on its command line.
/// </remarks>
public sealed record Orphan(int Pid, ulong StartTime, string Marker, string WorkerId, string Reason, bool MarkerInEnvironment = false);

public enum TerminationOutcome
{
    /// <summary>Its group ended within the grace period after SIGTERM.</summary>
    Graceful,

    /// <summary>It took SIGKILL.</summary>
    Forced,

    /// <summary>It exited (or became a zombie) before any signal.</summary>
    AlreadyGone,

    /// <summary>The pid now names another process (start time or marker changed): nothing was signalled.</summary>
    NoLongerOurs,

    Failed,
}

public sealed record TerminationResult(Orphan Orphan, TerminationOutcome Outcome, string? Error = null);

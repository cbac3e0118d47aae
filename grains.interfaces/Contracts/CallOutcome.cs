namespace DSPex.Orleans.Contracts;

/// <summary>
/// What a caller can know about a call that failed because a silo was lost (<see cref="DSPexErrorKind.SiloUnavailable"/>):
/// whether it may have run. A caller acts on it: a call that did not run is always safe to send again; one whose outcome
/// is unknown is safe to send again only when it is idempotent, or (a session call) with the same call id, which the
/// session answers from its record of the call instead of running it twice.
/// </summary>
[GenerateSerializer]
[Alias("DSPex.Orleans.Contracts.CallOutcome")]
public enum CallOutcome
{
    /// <summary>It may have run: the call reached a silo that was then lost, or its answer was lost on the way back.</summary>
    OutcomeUnknown = 0,

    /// <summary>Refused before any Python ran (the runtime rejected the message, the connection never carried it).</summary>
    NotRun = 1,
}

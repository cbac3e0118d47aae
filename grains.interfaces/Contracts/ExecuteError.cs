namespace DSPex.Orleans.Contracts;

/// <summary>
/// Why a request failed. PythonType and Traceback are set when Python raised. <see cref="Outcome"/> says, for a
/// <see cref="DSPexErrorKind.SiloUnavailable"/> error, whether the call may have run (absent in errors from older
/// silos: read as <see cref="CallOutcome.OutcomeUnknown"/>).
/// </summary>
[GenerateSerializer, Immutable, Alias("DSPex.Orleans.Contracts.ExecuteError")]
public sealed record ExecuteError(
    [property: Id(0)] DSPexErrorKind Kind,
    [property: Id(1)] string Message,
    [property: Id(2)] string? PythonType = null,
    [property: Id(3)] string? Traceback = null)
{
    /// <summary>For a SiloUnavailable error: whether the call may have run. Outside the constructor, so the record's shape stays as it shipped.</summary>
    [Id(4)]
    public CallOutcome Outcome { get; init; }

    /// <summary>
    /// True when this error is a session's record of an earlier attempt of the same call (by call id): sending the
    /// call again gets the same answer, so the client does not.
    /// </summary>
    [Id(5)]
    public bool Recorded { get; init; }

    /// <summary>A silo-loss error with what is known of the call's outcome.</summary>
    public static ExecuteError SiloLost(string message, CallOutcome outcome) => new(DSPexErrorKind.SiloUnavailable, message) { Outcome = outcome };
}

using DSPex.Orleans.Contracts;

namespace DSPex.Orleans.Client.Errors;

/// <summary>
/// The silo that held the work stopped or is unreachable. <see cref="Outcome"/> says whether the call may have run:
/// <see cref="CallOutcome.NotRun"/> is always safe to send again; <see cref="CallOutcome.OutcomeUnknown"/> only for an
/// idempotent call (the library already retried both within the call's deadline where that was allowed). The runtime's
/// exception, when there was one, is the <see cref="Exception.InnerException"/>.
/// </summary>
public sealed class SiloLostException : DSPexException
{
    /// <summary>A silo loss whose outcome is unknown.</summary>
    public SiloLostException(string message)
        : this(message, CallOutcome.OutcomeUnknown)
    {
    }

    /// <summary>A silo loss with what is known of the call's outcome and the runtime's exception that reported it.</summary>
    public SiloLostException(string message, CallOutcome outcome, Exception? innerException = null)
        : base(DSPexErrorKind.SiloUnavailable, message, null, innerException)
    {
        Outcome = outcome;
    }

    /// <summary>Whether the call may have run.</summary>
    public CallOutcome Outcome { get; }
}

using DSPex.Orleans.Contracts;

namespace DSPex.Orleans.Security;

/// <summary>
/// The silo's trust boundary refused a call before anything ran: no or a wrong credential
/// (<see cref="DSPexErrorKind.Unauthenticated"/>), a credential without the scope (<see cref="DSPexErrorKind.Forbidden"/>),
/// a session another credential owns (<see cref="DSPexErrorKind.SessionNotFound"/>). Serialised to the caller,
/// where the client library turns it into its typed exception.
/// </summary>
[GenerateSerializer]
public sealed class CallRefusedException : Exception
{
    public CallRefusedException(DSPexErrorKind kind, string message, string? scope = null)
        : base(message)
    {
        Kind = kind;
        Scope = scope;
    }

    [Id(0)]
    public DSPexErrorKind Kind { get; private set; }

    /// <summary>The scope the caller lacks (Forbidden only), e.g. "command:echo" or "sweep".</summary>
    [Id(1)]
    public string? Scope { get; private set; }
}

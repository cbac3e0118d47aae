namespace DSPex.Orleans.Contracts;

/// <summary>
/// A grain call was refused for a reason the caller caused, before anything ran: bad input or a session limit
/// (from a session), no or a wrong credential (<see cref="DSPexErrorKind.Unauthenticated"/>), a credential without
/// the scope (<see cref="DSPexErrorKind.Forbidden"/>), a session another credential owns
/// (<see cref="DSPexErrorKind.SessionNotFound"/>). It carries the typed kind across the wire; the client library
/// turns it into the matching exception. The message names the input and never holds a server stack trace.
/// </summary>
[GenerateSerializer]
public sealed class DSPexRequestException : Exception
{
    public DSPexRequestException(DSPexErrorKind kind, string message, string? scope = null)
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

    public ExecuteError ToError() => new(Kind, Message);
}

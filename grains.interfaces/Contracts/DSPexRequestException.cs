namespace DSPex.Orleans.Contracts;

/// <summary>
/// A grain call was refused for a reason the caller caused, before anything ran: bad input or a session limit
/// (from a session), no or a wrong credential (<see cref="DSPexErrorKind.Unauthenticated"/>), a credential without
/// the scope (<see cref="DSPexErrorKind.Forbidden"/>), a session another credential owns
/// (<see cref="DSPexErrorKind.SessionNotFound"/>). It carries the typed kind across the wire; the client library
/// turns it into the matching exception. The message names the input and never holds a server stack trace.
/// </summary>
[GenerateSerializer, Alias("DSPex.Orleans.Contracts.DSPexRequestException")]
public sealed class DSPexRequestException : Exception
{
    /// <summary>A refusal of the given kind with a message that names the input or the cause, and the scope a Forbidden call lacked.</summary>
    public DSPexRequestException(DSPexErrorKind kind, string message, string? scope = null)
        : base(message)
    {
        Kind = kind;
        Scope = scope;
    }

    /// <summary>Why the request was refused.</summary>
    [Id(0)]
    public DSPexErrorKind Kind { get; private set; }

    /// <summary>The scope the caller lacks (Forbidden only), e.g. "command:echo" or "sweep".</summary>
    [Id(1)]
    public string? Scope { get; private set; }

    /// <summary>The refusal as the error of an <see cref="ExecuteResponse"/>.</summary>
    public ExecuteError ToError() => new(Kind, Message);
}

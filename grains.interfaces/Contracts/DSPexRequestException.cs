namespace DSPex.Orleans.Contracts;

/// <summary>
/// A grain call that returns no <see cref="ExecuteResponse"/> was refused for a reason the caller caused
/// (bad input, a limit). It carries the typed kind across the wire; the client library turns it into the
/// matching exception. The message names the input and never holds a server stack trace.
/// </summary>
[GenerateSerializer]
public sealed class DSPexRequestException : Exception
{
    public DSPexRequestException(DSPexErrorKind kind, string message)
        : base(message)
    {
        Kind = kind;
    }

    [Id(0)]
    public DSPexErrorKind Kind { get; private set; }

    public ExecuteError ToError() => new(Kind, Message);
}

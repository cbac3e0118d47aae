namespace DSPex.Orleans.Contracts;

/// <summary>
/// The answer to a request: either ResultJson (raw JSON text from Python) or Error.
/// Failures travel as data rather than exceptions: cheaper across the wire, and every kind stays typed.
/// <see cref="ResultParts"/> are the binary parts the result refers to (bytes and arrays Python returned: docs/data.md).
/// </summary>
[GenerateSerializer, Immutable, Alias("DSPex.Orleans.Contracts.ExecuteResponse")]
public sealed record ExecuteResponse(
    [property: Id(0)] string? ResultJson,
    [property: Id(1)] ExecuteError? Error,
    [property: Id(2)] string? WorkerId,
    [property: Id(3)] int WorkerPid,
    [property: Id(4)] string? SessionUpdatesJson = null)
{
    /// <summary>Binary parts the result refers to (docs/data.md); null for none. Outside the constructor, as <see cref="ExecuteRequest.ArgParts"/>.</summary>
    [Id(5)]
    public ReadOnlyMemory<byte>[]? ResultParts { get; init; }

    /// <summary>True when the request succeeded (<see cref="Error"/> is null).</summary>
    public bool IsSuccess => Error is null;

    /// <summary>A successful response with the command's result JSON and the worker that ran it.</summary>
    public static ExecuteResponse Success(string resultJson, string workerId, int pid, string? sessionUpdatesJson = null) =>
        new(resultJson, null, workerId, pid, sessionUpdatesJson);

    /// <summary>A failed response of the given kind and message.</summary>
    public static ExecuteResponse Failure(DSPexErrorKind kind, string message, string? workerId = null, int pid = 0) =>
        new(null, new ExecuteError(kind, message), workerId, pid);

    /// <summary>A failed response carrying the given error.</summary>
    public static ExecuteResponse Failure(ExecuteError error, string? workerId = null, int pid = 0) => new(null, error, workerId, pid);
}

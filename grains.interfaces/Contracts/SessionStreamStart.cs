namespace DSPex.Orleans.Contracts;

/// <summary>
/// What a session hands its gateway for a stream in it: the request with the session's context (id, variables) and
/// pool, and the worker the session prefers; or the error that refuses the stream (a bad request, a session limit).
/// </summary>
[GenerateSerializer, Immutable, Alias("DSPex.Orleans.Contracts.SessionStreamStart")]
public sealed record SessionStreamStart(
    [property: Id(0)] ExecuteRequest? Request,
    [property: Id(1)] WorkerAffinity? Affinity,
    [property: Id(2)] ExecuteError? Error);

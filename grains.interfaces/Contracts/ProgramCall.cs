namespace DSPex.Orleans.Contracts;

/// <summary>
/// A program to run: its spec travels with every call, so any worker can build it; the worker caches the
/// built program by session, program id and revision, so it is built once per worker.
/// </summary>
[GenerateSerializer, Immutable, Alias("DSPex.Orleans.Contracts.ProgramCall")]
public sealed record ProgramCall(
    [property: Id(0)] string ProgramId,
    [property: Id(1)] int Revision,
    [property: Id(2)] string SpecJson);

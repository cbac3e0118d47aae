namespace DSPex.Orleans.Contracts;

/// <summary>A program of a session, as stored: its id, its revision (bumped on each replacement) and when it last changed.</summary>
/// <param name="ProgramId">The program's id within the session.</param>
/// <param name="Revision">Grows each time the program's spec is replaced.</param>
/// <param name="UpdatedAt">When the spec was last stored.</param>
[GenerateSerializer, Immutable, Alias("DSPex.Orleans.Contracts.ProgramInfo")]
public sealed record ProgramInfo(
    [property: Id(0)] string ProgramId,
    [property: Id(1)] int Revision,
    [property: Id(2)] DateTimeOffset UpdatedAt);

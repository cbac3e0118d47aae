namespace DSPex.Orleans.Contracts;

[GenerateSerializer, Immutable]
public sealed record ProgramInfo(
    [property: Id(0)] string ProgramId,
    [property: Id(1)] int Revision,
    [property: Id(2)] DateTimeOffset UpdatedAt);

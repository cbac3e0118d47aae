namespace DSPex.Orleans.Contracts;

/// <summary>One item of a streaming command (raw JSON), or the error that ended the stream.</summary>
[GenerateSerializer, Immutable, Alias("DSPex.Orleans.Contracts.StreamItem")]
public sealed record StreamItem(
    [property: Id(0)] string? ItemJson,
    [property: Id(1)] ExecuteError? Error);

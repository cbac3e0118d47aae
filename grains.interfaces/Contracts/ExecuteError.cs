namespace DSPex.Orleans.Contracts;

/// <summary>Why a request failed. PythonType and Traceback are set when Python raised.</summary>
[GenerateSerializer, Immutable, Alias("DSPex.Orleans.Contracts.ExecuteError")]
public sealed record ExecuteError(
    [property: Id(0)] DSPexErrorKind Kind,
    [property: Id(1)] string Message,
    [property: Id(2)] string? PythonType = null,
    [property: Id(3)] string? Traceback = null);

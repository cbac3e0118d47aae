namespace DSPex.Orleans.Contracts;

/// <summary>
/// The cluster's answer about a client's calls: per call, the most advanced state any silo reports. When a silo
/// neither answered nor was found gone (slow, or paused), a call it may hold reads Unknown, so the answer is not
/// conclusive and <see cref="Conclusive"/> is false.
/// </summary>
[GenerateSerializer, Immutable, Alias("DSPex.Orleans.Contracts.CallStatesReport")]
public sealed record CallStatesReport(
    [property: Id(0)] CallState[] States,
    [property: Id(1)] bool Conclusive);

namespace DSPex.Orleans.Contracts;

/// <summary>One worker slot and the Python process it currently owns.</summary>
[GenerateSerializer, Immutable, Alias("DSPex.Orleans.Contracts.WorkerInfo")]
public sealed record WorkerInfo(
    [property: Id(0)] string WorkerId,
    [property: Id(1)] int Pid,
    [property: Id(2)] string State,
    [property: Id(3)] int InFlight,
    [property: Id(4)] long Served,
    [property: Id(5)] int Incarnation,
    [property: Id(6)] long ResidentBytes);

namespace DSPex.Orleans.Contracts;

/// <summary>What a session holds, without its variables' values or program specs.</summary>
[GenerateSerializer, Immutable, Alias("DSPex.Orleans.Contracts.SessionInfo")]
public sealed record SessionInfo(
    [property: Id(0)] string SessionId,
    [property: Id(1)] DateTimeOffset CreatedAt,
    [property: Id(2)] DateTimeOffset LastAccessAt,
    [property: Id(3)] TimeSpan Ttl,
    [property: Id(4)] AffinityMode Affinity,
    [property: Id(5)] string? LastWorkerId,
    [property: Id(6)] int LastWorkerPid,
    [property: Id(7)] IReadOnlyDictionary<string, string> Metadata,
    [property: Id(8)] IReadOnlyDictionary<string, long> Counters,
    [property: Id(9)] IReadOnlyList<ProgramInfo> Programs,
    [property: Id(10)] IReadOnlyList<string> VariableNames,
    [property: Id(11)] string Pool = PoolNames.Default);

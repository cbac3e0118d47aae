namespace DSPex.Orleans.Contracts;

/// <summary>
/// What one pool on one silo serves: its adapters' commands (the bridge's built-in commands, which every pool
/// has, are left out). <see cref="Ready"/> is false until a worker of the pool has started there (until then its
/// commands are not known). Routers use it to send a command to the pool that registers it.
/// </summary>
[GenerateSerializer, Immutable, Alias("DSPex.Orleans.Contracts.PoolOffer")]
public sealed record PoolOffer(
    [property: Id(0)] string Pool,
    [property: Id(1)] IReadOnlyList<string> Commands,
    [property: Id(2)] bool Ready);

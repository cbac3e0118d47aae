namespace DSPex.Orleans.Contracts;

/// <summary>Pool stats of every active silo. Unreachable lists silos whose pool did not answer.</summary>
[GenerateSerializer, Immutable, Alias("DSPex.Orleans.Contracts.ClusterStats")]
public sealed record ClusterStats(
    [property: Id(0)] IReadOnlyList<PoolStats> Pools,
    [property: Id(1)] IReadOnlyList<string> Unreachable)
{
    /// <summary>Workers over all pools of the cluster.</summary>
    public int TotalWorkers => Pools.Sum(p => p.Workers);
}

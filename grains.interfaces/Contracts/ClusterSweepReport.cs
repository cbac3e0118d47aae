namespace DSPex.Orleans.Contracts;

/// <summary>One sweep across the cluster: a report per active silo; Unreachable lists silos whose reaper did not answer.</summary>
[GenerateSerializer, Immutable, Alias("DSPex.Orleans.Contracts.ClusterSweepReport")]
public sealed record ClusterSweepReport(
    [property: Id(0)] IReadOnlyList<SweepReport> Silos,
    [property: Id(1)] IReadOnlyList<string> Unreachable);

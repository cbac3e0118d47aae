using DSPex.Orleans.Contracts;

namespace DSPex.Orleans.Grains;

/// <summary>
/// The cluster-wide orphan reaper (one activation, key <see cref="ClusterKey"/>). A reminder makes it ask every
/// active silo's pinned reaper to sweep; <see cref="SweepAllAsync"/> runs one such round now.
/// </summary>
public interface IReaperGrain : IGrainWithStringKey
{
    public const string ClusterKey = "cluster";

    Task<ClusterSweepReport> SweepAllAsync();

    /// <summary>Registers the sweep reminder unless it already runs with the configured period.</summary>
    Task EnsureScheduledAsync();
}

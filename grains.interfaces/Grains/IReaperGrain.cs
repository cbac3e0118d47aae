using DSPex.Orleans.Contracts;

namespace DSPex.Orleans.Grains;

/// <summary>
/// The cluster-wide orphan reaper (one activation, key <see cref="ClusterKey"/>). A reminder makes it ask every
/// active silo's pinned reaper to sweep; <see cref="SweepAllAsync"/> runs one such round now.
/// </summary>
public interface IReaperGrain : IGrainWithStringKey
{
    /// <summary>The key of the one cluster-wide reaper grain.</summary>
    public const string ClusterKey = "cluster";

    /// <summary>Asks the reaper of every active silo to sweep now, and gathers their reports.</summary>
    Task<ClusterSweepReport> SweepAllAsync();

    /// <summary>
    /// Registers the sweep reminder with the configured period when there is none. An existing reminder is kept as
    /// it is (every silo calls this at start, and re-registering would restart the period), so a changed
    /// SweepPeriod applies only once the reminder is gone, e.g. after the whole cluster was stopped with in-memory reminders.
    /// </summary>
    Task EnsureScheduledAsync();
}

using DSPex.Orleans.Contracts;

namespace DSPex.Orleans.Grains;

/// <summary>
/// The cluster-wide orphan reaper (one activation, key <see cref="ClusterKey"/>). A reminder makes it ask every
/// active silo's pinned reaper to sweep; <see cref="SweepAllAsync"/> runs one such round now.
/// </summary>
// Aliases: the interface keeps its full name and each method the id Orleans derived from its signature in the
// first release, so releases that differ in names or signatures still call each other (docs/operations.md#upgrading).
[Alias("DSPex.Orleans.Grains.IReaperGrain")]
public interface IReaperGrain : IGrainWithStringKey
{
    /// <summary>The key of the one cluster-wide reaper grain.</summary>
    const string ClusterKey = "cluster";

    /// <summary>Asks the reaper of every active silo to sweep now, and gathers their reports.</summary>
    [Alias("8D7A0A27")]
    Task<ClusterSweepReport> SweepAllAsync();

    /// <summary>
    /// Registers the sweep reminder with the configured period when there is none. An existing reminder is kept as
    /// it is (every silo calls this at start, and re-registering would restart the period), so a changed
    /// SweepPeriod applies only once the reminder is gone, e.g. after the whole cluster was stopped with in-memory reminders.
    /// </summary>
    [Alias("E9B88364")]
    Task EnsureScheduledAsync();
}

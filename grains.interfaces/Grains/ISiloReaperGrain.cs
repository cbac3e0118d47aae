using DSPex.Orleans.Contracts;

namespace DSPex.Orleans.Grains;

/// <summary>The reaper of one silo, pinned there (key: the silo's parsable address); sweeps that silo's host.</summary>
// Aliases: the interface keeps its full name and each method the id Orleans derived from its signature in the
// first release, so releases that differ in names or signatures still call each other (docs/operations.md#upgrading).
[Alias("DSPex.Orleans.Grains.ISiloReaperGrain")]
public interface ISiloReaperGrain : IGrainWithStringKey
{
    /// <summary>Sweeps this silo's host for orphaned workers now; the trigger names why, for the report.</summary>
    [Alias("ABBCAB72")]
    Task<SweepReport> SweepAsync(string trigger);
}

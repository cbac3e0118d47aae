using DSPex.Orleans.Contracts;

namespace DSPex.Orleans.Grains;

/// <summary>The reaper of one silo, pinned there (key: the silo's parsable address); sweeps that silo's host.</summary>
public interface ISiloReaperGrain : IGrainWithStringKey
{
    /// <summary>Sweeps this silo's host for orphaned workers now; the trigger names why, for the report.</summary>
    Task<SweepReport> SweepAsync(string trigger);
}

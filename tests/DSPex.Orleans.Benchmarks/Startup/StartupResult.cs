namespace DSPex.Orleans.Benchmarks.Startup;

/// <summary>Start-up times in milliseconds; medians over the repeats.</summary>
public sealed record StartupResult(
    int Workers,
    int Repeats,
    double FirstColdStartMs,
    double ColdStartMs,
    double ConcurrentPoolMs,
    double OneByOnePoolMs,
    double? SiloPoolWarmUpMs = null,
    double? SiloSpawnToWarmMs = null)
{
    /// <summary>CPU time (user + system) of one cold start by its ready frame, median.</summary>
    public double? ColdStartCpuMs { get; init; }

    /// <summary>CPU time of the N processes of a concurrent start by their ready frames, together, median.</summary>
    public double? ConcurrentPoolCpuMs { get; init; }

    /// <summary>Median over the repeats of concurrent / (2 x cold) measured back to back within each repeat.</summary>
    public double? PairedRatio { get; init; }
}

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
    double? SiloSpawnToWarmMs = null);

using DSPex.Orleans.Contracts;

namespace DSPex.Orleans.Pool;

/// <summary>A pool's size as health answers and the CLI write it: live/current workers, and an elastic pool's range.</summary>
internal static class PoolSizeText
{
    /// <summary>"2/2 workers" for a fixed pool; "2/3 workers (min 1, max 4)" for an elastic one.</summary>
    public static string Of(PoolStats stats) =>
        stats.MinSize > 0 && stats.MinSize < stats.MaxSize
            ? $"{stats.Workers}/{stats.Size} workers (min {stats.MinSize}, max {stats.MaxSize})"
            : $"{stats.Workers}/{stats.Size} workers";
}

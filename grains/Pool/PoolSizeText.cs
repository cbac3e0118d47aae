using DSPex.Orleans.Contracts;

namespace DSPex.Orleans.Pool;

/// <summary>A pool's size as health answers and the CLI write it: live/current workers, and an elastic pool's range.</summary>
internal static class PoolSizeText
{
    /// <summary>
    /// "2/2 workers" for a fixed pool; "2/3 workers (min 1, max 4)" for an elastic one; "0/0 workers (min 0, max 2),
    /// starts on demand" for a named pool of minimum 0.
    /// </summary>
    public static string Of(PoolStats stats) => stats switch
    {
        { MinSize: 0, MaxSize: > 0 } => $"{stats.Workers}/{stats.Size} workers (min 0, max {stats.MaxSize}), starts on demand",
        _ when stats.MinSize > 0 && stats.MinSize < stats.MaxSize => $"{stats.Workers}/{stats.Size} workers (min {stats.MinSize}, max {stats.MaxSize})",
        _ => $"{stats.Workers}/{stats.Size} workers",
    };
}

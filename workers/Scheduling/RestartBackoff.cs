namespace DSPex.Orleans.Workers.Scheduling;

/// <summary>How long a dead worker waits before its restart: growing with crashes in a row, so a crash storm cannot spin.</summary>
internal static class RestartBackoff
{
    public static readonly TimeSpan Longest = TimeSpan.FromSeconds(30);

    private const double FirstDelayMilliseconds = 100;

    /// <summary>None for the first failure, then 100 ms doubling per failure in a row, at most <see cref="Longest"/>.</summary>
    public static TimeSpan Delay(int consecutiveFailures) => consecutiveFailures <= 1
        ? TimeSpan.Zero
        : TimeSpan.FromMilliseconds(Math.Min(Longest.TotalMilliseconds, FirstDelayMilliseconds * Math.Pow(2, consecutiveFailures - 2)));
}

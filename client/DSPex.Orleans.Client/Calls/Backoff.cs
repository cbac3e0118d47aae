namespace DSPex.Orleans.Client.Calls;

/// <summary>Delays between attempts: doubling from <paramref name="first"/>, at most <paramref name="max"/>.</summary>
internal sealed class Backoff(TimeSpan first, TimeSpan max)
{
    /// <summary>The wait before attempt <paramref name="attempt"/> + 1 (0 is the wait after the first failure).</summary>
    public TimeSpan Delay(int attempt) =>
        attempt >= 16 ? max : TimeSpan.FromTicks(Math.Min(first.Ticks << attempt, max.Ticks));
}

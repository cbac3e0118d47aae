namespace DSPex.Orleans.Workers.Scheduling;

/// <summary>
/// When a worker is replaced by a fresh one: after a number of requests (jittered per worker, so workers started
/// together are not all replaced together), past an age, or past a resident memory size. Zero or null turns a
/// trigger off.
/// </summary>
internal sealed record RecyclePolicy(long AfterRequests, double Jitter, TimeSpan? MaxAge, long MaxResidentBytes)
{
    /// <summary>
    /// The request count at which a new worker is recycled (0: never), from a uniform draw in [0, 1):
    /// <see cref="AfterRequests"/> moved by up to <see cref="Jitter"/> of itself either way, at least 1.
    /// </summary>
    public long RequestLimit(double draw) => AfterRequests <= 0
        ? 0
        : Math.Max(1, (long)Math.Round(AfterRequests * (1 + Jitter * (2 * draw - 1))));

    /// <summary>Whether a worker this old, with this much resident memory, is due for recycling.</summary>
    public bool IsDue(TimeSpan age, long residentBytes) =>
        (MaxAge is { } maxAge && age > maxAge) || (MaxResidentBytes > 0 && residentBytes > MaxResidentBytes);
}

namespace DSPex.Orleans.Client.Calls;

/// <summary>
/// How long the client waits for a call's answer before it gives up on the silo serving it. The silo answers
/// every call by its queue timeout plus its request timeout, so this only ends calls whose silo is gone.
/// </summary>
public sealed record CallLimits
{
    /// <summary>Wait for a call that gives no timeout of its own: above the silos' RequestTimeout + QueueTimeout (60 s + 30 s by default).</summary>
    public TimeSpan DefaultCallLimit { get; init; } = TimeSpan.FromSeconds(100);

    /// <summary>Added to a call's own timeout: the silos' QueueTimeout (30 s by default) plus time on the wire.</summary>
    public TimeSpan QueueAllowance { get; init; } = TimeSpan.FromSeconds(40);

    /// <summary>How long to wait for a call with this timeout of its own (none: <see cref="DefaultCallLimit"/>).</summary>
    public TimeSpan For(TimeSpan? requestTimeout) => requestTimeout is { } timeout ? timeout + QueueAllowance : DefaultCallLimit;
}

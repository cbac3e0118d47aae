namespace DSPex.Orleans.Workers.Scaling;

/// <summary>The limits and delays an elastic pool scales by (from the pool's options, validated at start).</summary>
/// <param name="MinSize">Workers the pool keeps however idle it is (at least 1).</param>
/// <param name="MaxSize">Workers the pool never exceeds.</param>
/// <param name="Concurrency">Requests each worker runs at once: how many queued requests one more worker takes.</param>
/// <param name="GrowAfter">How long requests must wait (or every worker be busy) before the pool grows.</param>
/// <param name="IdleTimeout">How long a worker must sit idle, with no pressure on the pool, before it is retired.</param>
internal sealed record ScalePolicy(int MinSize, int MaxSize, int Concurrency, TimeSpan GrowAfter, TimeSpan IdleTimeout)
{
    /// <summary>The pool can change size at all (a fixed pool has min = max and never scales).</summary>
    public bool IsElastic => MinSize < MaxSize;
}

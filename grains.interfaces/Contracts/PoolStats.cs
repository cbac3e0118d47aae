namespace DSPex.Orleans.Contracts;

/// <summary>
/// A snapshot of one pool on one silo. <see cref="Pool"/> is its name; <see cref="Size"/> its current size (an
/// elastic pool's active workers and starting ones, between <see cref="MinSize"/> and <see cref="MaxSize"/>); <see cref="StartFailure"/> says why a pool
/// has no live worker after its warm-up (its interpreter or adapters could not start), null otherwise.
/// </summary>
[GenerateSerializer, Immutable, Alias("DSPex.Orleans.Contracts.PoolStats")]
public sealed record PoolStats(
    [property: Id(0)] string Silo,
    [property: Id(1)] int Size,
    [property: Id(2)] int Workers,
    [property: Id(3)] int Busy,
    [property: Id(4)] int Queued,
    [property: Id(5)] long Served,
    [property: Id(6)] long Errors,
    [property: Id(7)] long Restarts,
    [property: Id(8)] long QueueTimeouts,
    [property: Id(9)] long Saturated,
    [property: Id(10)] IReadOnlyList<WorkerInfo> WorkerDetails,
    [property: Id(11)] long Recycles = 0,
    [property: Id(12)] long HungWorkersKilled = 0,
    [property: Id(13)] long Retries = 0,
    [property: Id(14)] string Pool = PoolNames.Default,
    [property: Id(15)] string? StartFailure = null)
{
    /// <summary>The fewest workers the pool keeps (its <see cref="Size"/> for a fixed pool; 0 for a named pool that starts on demand, and from a silo that predates elastic pools, whose <see cref="MaxSize"/> is 0 too).</summary>
    [Id(16)]
    public int MinSize { get; init; }

    /// <summary>The most workers the pool grows to (its <see cref="Size"/> for a fixed pool; 0 from a silo that predates elastic pools).</summary>
    [Id(17)]
    public int MaxSize { get; init; }

    /// <summary>Workers an elastic pool started because requests waited, over its life.</summary>
    [Id(18)]
    public long ScaledUp { get; init; }

    /// <summary>Idle workers an elastic pool retired, over its life.</summary>
    [Id(19)]
    public long ScaledDown { get; init; }
}

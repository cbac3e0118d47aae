namespace DSPex.Orleans.Client.Calls;

/// <summary>
/// One execute call in flight: its id (what the silos report on), its limit, and the token that ends the wait for
/// it. Losing a call records why, so the caller's error names the cause rather than a bare cancellation.
/// </summary>
internal sealed class TrackedCall : IDisposable
{
    private readonly CancellationTokenSource _cancellation;

    public TrackedCall(Guid id, TimeSpan limit, CancellationToken callerToken)
    {
        Id = id;
        _cancellation = callerToken.CanBeCanceled ? CancellationTokenSource.CreateLinkedTokenSource(callerToken) : new CancellationTokenSource();
        Limit = limit;
        LimitAt = Environment.TickCount64 + (long)limit.TotalMilliseconds;
    }

    /// <summary>The call's id: the same for every attempt of one call.</summary>
    public Guid Id { get; }

    public TimeSpan Limit { get; }

    /// <summary>When the limit runs out, on the <see cref="Environment.TickCount64"/> clock.</summary>
    public long LimitAt { get; }

    public CancellationToken Token => _cancellation.Token;

    public string? LostReason { get; private set; }

    /// <summary>Stops waiting for the call; the first reason given is the one the caller sees.</summary>
    public void Lose(string reason)
    {
        LostReason ??= reason;
        try
        {
            _cancellation.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The call finished and was disposed while it was being lost: nothing is waiting any more.
        }
    }

    public void Dispose() => _cancellation.Dispose();
}

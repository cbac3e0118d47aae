using DSPex.Orleans.Contracts;

namespace DSPex.Orleans.Pool;

/// <summary>
/// The two bounds of a stream: its deadline, which abandons the call when it passes even while the caller is not
/// reading (so the worker is freed without the caller's help), and an idle limit on each wait for the next item.
/// </summary>
internal sealed class StreamLimits : IDisposable
{
    private readonly CancellationTokenSource _deadline;
    private readonly CancellationTokenSource _idle = new();
    private readonly CancellationTokenSource _linked;
    private readonly CancellationTokenRegistration _onDeadline;
    private readonly CancellationTokenRegistration _onCaller;
    private readonly TimeSpan _deadlineLimit;
    private readonly TimeSpan _idleLimit;
    private Action? _abandon;

    public StreamLimits(TimeSpan deadline, TimeSpan idle, Action abandon, CancellationToken caller)
    {
        _deadlineLimit = deadline;
        _idleLimit = idle;
        _abandon = abandon;
        _deadline = new CancellationTokenSource(deadline);
        _linked = CancellationTokenSource.CreateLinkedTokenSource(caller, _deadline.Token, _idle.Token);
        _onDeadline = _deadline.Token.UnsafeRegister(static state => ((StreamLimits)state!).Abandon(), this);
        // The caller gone (the relaying silo dead) cancels Python even while the stream waits at an item nobody will ask
        // for again, where no wait of the stream's own sees the token.
        _onCaller = caller.UnsafeRegister(static state => ((StreamLimits)state!).Abandon(), this);
    }

    /// <summary>Cancelled by the caller, the deadline or the idle limit.</summary>
    public CancellationToken Token => _linked.Token;

    /// <summary>The deadline or the idle limit passed.</summary>
    public bool Ended => _deadline.IsCancellationRequested || _idle.IsCancellationRequested;

    public void StartWaiting() => _idle.CancelAfter(_idleLimit);

    public void StopWaiting() => _idle.CancelAfter(Timeout.InfiniteTimeSpan);

    /// <summary>Cancels the call in Python (and kills its worker past the grace period); only the first call acts.</summary>
    public void Abandon() => Interlocked.Exchange(ref _abandon, null)?.Invoke();

    public ExecuteError Reason(string command, string? workerId) => _deadline.IsCancellationRequested
        ? new ExecuteError(DSPexErrorKind.DeadlineExceeded,
            $"stream of '{command}' on worker {workerId} did not finish within its deadline of {_deadlineLimit.TotalMilliseconds:0} ms")
        : new ExecuteError(DSPexErrorKind.DeadlineExceeded,
            $"stream of '{command}' on worker {workerId} sent no item for {_idleLimit.TotalMilliseconds:0} ms (the stream idle limit)");

    public void Dispose()
    {
        _onDeadline.Dispose();
        _onCaller.Dispose();
        _linked.Dispose();
        _idle.Dispose();
        _deadline.Dispose();
    }
}

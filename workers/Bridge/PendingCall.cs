using Microsoft.Extensions.Logging;

namespace DSPex.Orleans.Workers.Bridge;

/// <summary>
/// A request sent to Python and waiting for its reply. An owner that must act the moment the reply arrives (a
/// pool freeing the worker for the next request) passes a hook, which runs on the thread that completes the
/// call before the caller's continuation is scheduled.
/// <para>
/// The task is also the caller's waiter: a call sent with a deadline (<see cref="DeadlineAt"/>, swept by its
/// connection's one timer) or a caller's cancellation may answer it first with <see cref="DeadlinePassed"/> or
/// <see cref="CallerCancelled"/>, so a call needs no timer, promise or linked token of its own. Python may still
/// be running it then: its reply still runs the hook (which frees the worker) and completes <see cref="Replied"/>.
/// </para>
/// </summary>
internal sealed partial class PendingCall(Action<BridgeReply>? onReply, IBridgeTools? tools = null)
    : TaskCompletionSource<BridgeReply>(TaskCreationOptions.RunContinuationsAsynchronously)
{
    /// <summary>The answer of a call whose deadline passed before its reply (compared by reference).</summary>
    public static readonly BridgeReply DeadlinePassed = BridgeReply.Fail(CallErrorKind.DeadlineExceeded, "deadline passed");

    /// <summary>The answer of a call its caller cancelled before its reply (compared by reference).</summary>
    public static readonly BridgeReply CallerCancelled = BridgeReply.Fail(CallErrorKind.Cancelled, "cancelled by the caller");

    public static bool IsDeadlinePassed(in BridgeReply reply) => ReferenceEquals(reply.Error, DeadlinePassed.Error);

    public static bool IsCallerCancelled(in BridgeReply reply) => ReferenceEquals(reply.Error, CallerCancelled.Error);

    private static readonly TaskCompletionSource ReplyCame = Completed();

    // Null until someone waits for the reply of a call already answered (an abandoned call's grace period), then a
    // source completed by the reply; ReplyCame once the reply came.
    private TaskCompletionSource? _replied;

    /// <summary>Answers the call's tool calls; ended (its tool calls cancelled) once the call is over.</summary>
    public IBridgeTools? Tools => tools;

    /// <summary>When the caller is answered <see cref="DeadlinePassed"/> (<see cref="Workers.Timing.DeadlineTimer.Now"/> ms); long.MaxValue: never.</summary>
    public long DeadlineAt { get; init; } = long.MaxValue;

    /// <summary>Whether Python's reply (or the process exit) has come.</summary>
    public bool HasReplied => ReferenceEquals(Volatile.Read(ref _replied), ReplyCame);

    /// <summary>Completes when Python's reply (or the process exit) has come, whatever answered the caller.</summary>
    public Task Replied
    {
        get
        {
            if (Volatile.Read(ref _replied) is { } current)
            {
                return current.Task;
            }

            var waiting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return (Interlocked.CompareExchange(ref _replied, waiting, null) ?? waiting).Task;
        }
    }

    public void Complete(BridgeReply reply, ILogger logger)
    {
        tools?.End(ToolFaultKinds.Cancelled);
        try
        {
            onReply?.Invoke(reply);
        }
        catch (Exception e)
        {
            // The hook runs on the reader thread: an exception escaping it would end the silo process.
            ReplyHookFailed(logger, e);
        }

        Interlocked.Exchange(ref _replied, ReplyCame)?.TrySetResult();
        TrySetResult(reply);
    }

    /// <summary>Answers the caller before the reply (deadline or cancellation); false when it was answered already.</summary>
    public bool TryAnswerEarly(BridgeReply answer) => TrySetResult(answer);

    private static TaskCompletionSource Completed()
    {
        var done = new TaskCompletionSource();
        done.SetResult();
        return done;
    }

    [LoggerMessage(EventId = 1015, Level = LogLevel.Error, Message = "A reply hook failed")]
    private static partial void ReplyHookFailed(ILogger logger, Exception exception);
}

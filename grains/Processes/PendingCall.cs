using Microsoft.Extensions.Logging;

namespace DSPex.Orleans.Processes;

/// <summary>
/// A request sent to Python and waiting for its reply. An owner that must act the moment the reply arrives (a
/// pool freeing the worker for the next request) passes a hook, which runs on the thread that completes the
/// call before the caller's continuation is scheduled.
/// </summary>
internal sealed partial class PendingCall(Action<BridgeReply>? onReply, Tools.ToolSession? tools = null)
    : TaskCompletionSource<BridgeReply>(TaskCreationOptions.RunContinuationsAsynchronously)
{
    /// <summary>Answers the call's tool calls; ended (its tool calls cancelled) once the call is over.</summary>
    public Tools.ToolSession? Tools => tools;

    public void Complete(BridgeReply reply, ILogger logger)
    {
        tools?.End(DSPex.Orleans.Tools.ToolErrorKinds.Cancelled);
        try
        {
            onReply?.Invoke(reply);
        }
        catch (Exception e)
        {
            // The hook runs on the reader thread: an exception escaping it would end the silo process.
            ReplyHookFailed(logger, e);
        }

        TrySetResult(reply);
    }

    [LoggerMessage(EventId = 1015, Level = LogLevel.Error, Message = "A reply hook failed")]
    private static partial void ReplyHookFailed(ILogger logger, Exception exception);
}

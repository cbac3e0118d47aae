using DSPex.Orleans.Workers.Bridge;
using Microsoft.Extensions.Logging;

namespace DSPex.Orleans.Workers.Python;

/// <summary>The end of a worker, on its reader thread: the exit observed, pending calls failed, owners told.</summary>
internal sealed partial class PythonProcess
{
    private void OnConnectionClosed(CallErrorKind kind, string channelReason)
    {
        if (kind == CallErrorKind.MalformedFrame)
        {
            // The stream is out of step: nothing it sends can be trusted, so end the worker now.
            _os.Kill(channelReason);
        }

        var exit = _os.WaitForExitAfterPipeClosed();
        var stderr = _os.StderrText();
        var reason = $"Python worker {WorkerId} (pid {Pid}) exited ({exit}; {_os.KillReason ?? channelReason})";
        // Stderr may hold what one caller's request printed (its secrets too): it goes to the log, and to a caller only
        // when that caller's request is the only call this process ever ran, so every line in it is that request's
        // (or the adapters' start-up). Counting calls in flight is not enough: an earlier request of another caller
        // printed into the same tail, and stderr is a pipe of its own, read with no order against the replies.
        if (_stopRequested)
        {
            Log.Stopped(_logger, WorkerId, Pid, exit);
        }
        else
        {
            Log.Exited(_logger, WorkerId, Pid, exit, _os.KillReason ?? channelReason, stderr);
        }

        _os.KillGroup();
        Connection.Close(reason + ".", kind, inFlight => inFlight == 1 && Connection.CallsSent == 1 && stderr.Length > 0
            ? $"{reason}. Last stderr lines:\n{stderr}"
            : $"{reason}; its stderr is in the silo log");
        Connection.FailReady(reason);
        if (!_stopRequested)
        {
            Log.Crashed(_logger, WorkerId, Pid, reason);
        }

        _exited.TrySetResult();
        ExitedEvent?.Invoke(this);
    }

    /// <summary>The last resort when closing the connection itself failed: end the process and fail what waits on it.</summary>
    private void OnReaderFault(Exception fault)
    {
        var reason = $"Python worker {WorkerId} (pid {Pid}) was ended: its reply reader failed ({fault.GetType().Name})";
        _os.Kill(reason);
        Connection.Close(reason, CallErrorKind.MalformedFrame, _ => reason, keepEarlierReason: true);
        Connection.FailReady(reason);
        if (_exited.TrySetResult())
        {
            // Not raised yet: the owner still has to learn the worker is gone, to replace it.
            ExitedEvent?.Invoke(this);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1001, Level = LogLevel.Warning,
            Message = "Python worker {WorkerId} (pid {Pid}) exited ({Exit}; {Cause}). Last stderr lines:\n{Stderr}")]
        public static partial void Exited(ILogger logger, string workerId, int pid, string exit, string cause, string stderr);

        [LoggerMessage(EventId = 1003, Level = LogLevel.Information, Message = "Python worker {WorkerId} (pid {Pid}) stopped ({Exit})")]
        public static partial void Stopped(ILogger logger, string workerId, int pid, string exit);

        [LoggerMessage(EventId = 1002, Level = LogLevel.Warning, Message = "Python worker {WorkerId} (pid {Pid}) crashed: {Reason}")]
        public static partial void Crashed(ILogger logger, string workerId, int pid, string reason);
    }
}

using Microsoft.Extensions.Logging;

namespace DSPex.Orleans.Workers.Bridge;

/// <summary>What the connection logs, under the worker's category; event ids 1010-1014.</summary>
internal sealed partial class BridgeConnection
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 1010, Level = LogLevel.Error, Message = "A request to Python worker {WorkerId} (pid {Pid}) could not be encoded")]
        public static partial void EncodeFailed(ILogger logger, Exception exception, string workerId, int pid);

        [LoggerMessage(EventId = 1011, Level = LogLevel.Error, Message = "The reply reader of Python worker {WorkerId} (pid {Pid}) failed; ending the worker")]
        public static partial void ReaderFailed(ILogger logger, Exception exception, string workerId, int pid);

        [LoggerMessage(EventId = 1012, Level = LogLevel.Critical, Message = "Python worker {WorkerId} (pid {Pid}) could not be failed cleanly")]
        public static partial void CouldNotFailCleanly(ILogger logger, Exception exception, string workerId, int pid);

        [LoggerMessage(EventId = 1013, Level = LogLevel.Error, Message = "A frame from Python worker {WorkerId} (pid {Pid}) could not be handled")]
        public static partial void FrameNotHandled(ILogger logger, Exception exception, string workerId, int pid);

        [LoggerMessage(EventId = 1014, Level = LogLevel.Warning, Message = "Python worker {WorkerId} (pid {Pid}) rejected a frame: {Message}")]
        public static partial void FrameRejected(ILogger logger, string workerId, int pid, string? message);
    }
}

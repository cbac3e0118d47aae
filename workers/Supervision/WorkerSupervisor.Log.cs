using Microsoft.Extensions.Logging;

namespace DSPex.Orleans.Workers.Supervision;

/// <summary>
/// What a supervisor logs: the pool's events about its workers, with the ids they had in the pool's range (1100-1199),
/// written to the logger the pool passes (its category), so operators' filters and alerts keep matching.
/// </summary>
internal sealed partial class WorkerSupervisor<TWorker>
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 1102, Level = LogLevel.Error, Message = "Worker {WorkerId} failed to start")]
        public static partial void StartFailed(ILogger logger, Exception exception, string workerId);

        [LoggerMessage(EventId = 1106, Level = LogLevel.Warning, Message = "Worker {WorkerId} (pid {Pid}) did not stop an abandoned request within {Grace} ms; killing it")]
        public static partial void AbandonedRequestNotStopped(ILogger logger, string workerId, int pid, double grace);

        [LoggerMessage(EventId = 1108, Level = LogLevel.Information, Message = "Recycling worker {WorkerId} (pid {Pid}, {Rss} MiB at the last sample)")]
        public static partial void Recycling(ILogger logger, string workerId, int pid, long rss);

        [LoggerMessage(EventId = 1109, Level = LogLevel.Warning, Message = "Recycling worker {WorkerId} failed; it will be restarted")]
        public static partial void RecycleFailed(ILogger logger, Exception exception, string workerId);

        [LoggerMessage(EventId = 1110, Level = LogLevel.Warning, Message = "Worker {WorkerId} (pid {Pid}) {Reason}")]
        public static partial void HungWorkerKilled(ILogger logger, string workerId, int pid, string reason);

        [LoggerMessage(EventId = 1116, Level = LogLevel.Information, Message = "Retiring worker {WorkerId} (pid {Pid}): idle past the elastic pool's idle timeout")]
        public static partial void Retiring(ILogger logger, string workerId, int pid);
    }
}

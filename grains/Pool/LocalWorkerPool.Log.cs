using Microsoft.Extensions.Logging;

namespace DSPex.Orleans.Pool;

/// <summary>What the pool logs; event ids 1100-1199.</summary>
public sealed partial class LocalWorkerPool
{
    private static partial class Log
    {
        // The silo-wide line (event 1100) is SiloPools'; harnesses wait for the silo's ready line (Hosting/SiloReadyLine).
        [LoggerMessage(EventId = 1113, Level = LogLevel.Information, Message = "Pool {Pool} on {Silo} started {Live}/{Size} workers in {Elapsed} ms")]
        public static partial void Warm(ILogger logger, string pool, SiloAddress silo, int live, int size, int elapsed);

        [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "Pool {Pool} on {Silo} stopped {Count} Python processes")]
        public static partial void Stopped(ILogger logger, string pool, SiloAddress silo, int count);

        [LoggerMessage(EventId = 1102, Level = LogLevel.Error, Message = "Worker {WorkerId} failed to start")]
        public static partial void StartFailed(ILogger logger, Exception exception, string workerId);

        [LoggerMessage(EventId = 1103, Level = LogLevel.Information, Message = "Worker grain {WorkerId} was deactivated while its silo runs; activating it again")]
        public static partial void Reactivating(ILogger logger, string workerId);

        [LoggerMessage(EventId = 1104, Level = LogLevel.Information, Message = "Retrying idempotent '{Command}' after its worker {WorkerId} crashed")]
        public static partial void RetryingIdempotent(ILogger logger, string command, string? workerId);

        [LoggerMessage(EventId = 1105, Level = LogLevel.Error, Message = "Writing '{Command}' to worker {WorkerId} (pid {Pid}) failed")]
        public static partial void WriteFailed(ILogger logger, Exception exception, string command, string workerId, int pid);

        [LoggerMessage(EventId = 1106, Level = LogLevel.Warning, Message = "Worker {WorkerId} (pid {Pid}) did not stop an abandoned request within {Grace} ms; killing it")]
        public static partial void AbandonedRequestNotStopped(ILogger logger, string workerId, int pid, double grace);

        [LoggerMessage(EventId = 1107, Level = LogLevel.Warning, Message = "Pool {Pool} on {Silo} still had requests in flight after the drain timeout of {Timeout}")]
        public static partial void DrainTimedOut(ILogger logger, string pool, SiloAddress silo, TimeSpan timeout);

        [LoggerMessage(EventId = 1108, Level = LogLevel.Information, Message = "Recycling worker {WorkerId} (pid {Pid}, {Rss} MiB at the last sample)")]
        public static partial void Recycling(ILogger logger, string workerId, int pid, long rss);

        [LoggerMessage(EventId = 1109, Level = LogLevel.Warning, Message = "Recycling worker {WorkerId} failed; it will be restarted")]
        public static partial void RecycleFailed(ILogger logger, Exception exception, string workerId);

        [LoggerMessage(EventId = 1110, Level = LogLevel.Warning, Message = "Worker {WorkerId} (pid {Pid}) {Reason}")]
        public static partial void HungWorkerKilled(ILogger logger, string workerId, int pid, string reason);

        [LoggerMessage(EventId = 1111, Level = LogLevel.Error, Message = "The health check of worker {WorkerId} failed; the health loop carries on")]
        public static partial void HealthCheckFailed(ILogger logger, Exception exception, string workerId);

        [LoggerMessage(EventId = 1130, Level = LogLevel.Warning, Message = "Pool {Pool}: the silo was not running for {GapMs} ms (stopped or starved); the workers' heartbeat deadlines restart rather than count that time")]
        public static partial void SiloWasPaused(ILogger logger, string pool, long gapMs);

        [LoggerMessage(EventId = 1112, Level = LogLevel.Warning, Message = "Pool {Pool} on {Silo} stopped while background work (restarts, recycles) was still running")]
        public static partial void BackgroundWorkOutlivedStop(ILogger logger, string pool, SiloAddress silo);
    }
}

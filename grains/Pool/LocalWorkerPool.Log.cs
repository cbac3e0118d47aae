using Microsoft.Extensions.Logging;

namespace DSPex.Orleans.Pool;

/// <summary>What the pool logs; event ids 1100-1199 (its supervisors log their workers' events in the same range: 1102, 1106, 1108-1110).</summary>
internal sealed partial class LocalWorkerPool
{
    private static partial class Log
    {
        // The silo-wide line (event 1100) is SiloPools'; harnesses wait for the silo's ready line (Hosting/SiloReadyLine).
        [LoggerMessage(EventId = 1113, Level = LogLevel.Information, Message = "Pool {Pool} on {Silo} started {Live}/{Size} workers in {Elapsed} ms")]
        public static partial void Warm(ILogger logger, string pool, SiloAddress silo, int live, int size, int elapsed);

        [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "Pool {Pool} on {Silo} stopped {Count} Python processes")]
        public static partial void Stopped(ILogger logger, string pool, SiloAddress silo, int count);



        [LoggerMessage(EventId = 1104, Level = LogLevel.Information, Message = "Retrying idempotent '{Command}' after its worker {WorkerId} crashed")]
        public static partial void RetryingIdempotent(ILogger logger, string command, string? workerId);

        [LoggerMessage(EventId = 1105, Level = LogLevel.Error, Message = "Writing '{Command}' to worker {WorkerId} (pid {Pid}) failed")]
        public static partial void WriteFailed(ILogger logger, Exception exception, string command, string workerId, int pid);


        [LoggerMessage(EventId = 1107, Level = LogLevel.Warning, Message = "Pool {Pool} on {Silo} still had requests in flight after the drain timeout of {Timeout}")]
        public static partial void DrainTimedOut(ILogger logger, string pool, SiloAddress silo, TimeSpan timeout);




        [LoggerMessage(EventId = 1111, Level = LogLevel.Error, Message = "The health check of worker {WorkerId} failed; the health loop carries on")]
        public static partial void HealthCheckFailed(ILogger logger, Exception exception, string workerId);

        [LoggerMessage(EventId = 1130, Level = LogLevel.Warning, Message = "Pool {Pool}: the silo was not running for {GapMs} ms (stopped or starved); the workers' heartbeat deadlines restart rather than count that time")]
        public static partial void SiloWasPaused(ILogger logger, string pool, long gapMs);

        [LoggerMessage(EventId = 1112, Level = LogLevel.Warning, Message = "Pool {Pool} on {Silo} stopped while background work (restarts, recycles) was still running")]
        public static partial void BackgroundWorkOutlivedStop(ILogger logger, string pool, SiloAddress silo);

        [LoggerMessage(EventId = 1117, Level = LogLevel.Information, Message = "Pool {Pool} on {Silo} grows by {Added} workers to {Size} (max {MaxSize}): requests wait")]
        public static partial void Growing(ILogger logger, string pool, SiloAddress silo, int added, int size, int maxSize);

        [LoggerMessage(EventId = 1118, Level = LogLevel.Error, Message = "Scaling pool {Pool} failed; the health loop carries on")]
        public static partial void ScalingFailed(ILogger logger, Exception exception, string pool);
    }
}

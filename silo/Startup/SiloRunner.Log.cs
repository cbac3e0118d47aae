using Microsoft.Extensions.Logging;

namespace DSPex.Orleans.Silo.Startup;

/// <summary>The silo runner's log lines (event ids 3110-3119 of the silo host's 3100-3199).</summary>
internal sealed partial class SiloRunner
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 3110, Level = LogLevel.Warning, Message = "Stop requested while the silo was starting: the start is cancelled")]
        public static partial void StopDuringStart(ILogger logger);

        [LoggerMessage(EventId = 3111, Level = LogLevel.Error, Message = "The silo's start did not finish within the drain time ({DrainTimeout}) after the stop request; its started Python workers are stopped and the silo exits with code 4")]
        public static partial void StartAbandoned(ILogger logger, TimeSpan drainTimeout);

        [LoggerMessage(EventId = 3112, Level = LogLevel.Warning, Message = "The silo did not finish stopping within the host's shutdown timeout (leaving the cluster's membership can hang when the table is gone); its Python workers are stopped and the process exits")]
        public static partial void StopTimedOut(ILogger logger);

        // Tests and operators read this line for the HTTP port (random by default): keep "HTTP endpoints at".
        [LoggerMessage(EventId = 3113, Level = LogLevel.Information, Message = "HTTP endpoints at {Addresses} (/healthz, /readyz, /metrics)")]
        public static partial void HttpListening(ILogger logger, string addresses);
    }
}

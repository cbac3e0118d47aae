using Microsoft.Extensions.Logging;

namespace DSPex.Orleans.Silo.Health;

/// <summary>The health loop's log lines (event ids 3100-3109; the silo host uses 3100-3199).</summary>
internal sealed partial class HealthLoop
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 3100, Level = LogLevel.Warning, Message = "Silo not ready: membership: {Membership}; gateway: {Gateway}")]
        public static partial void NotReady(ILogger logger, string membership, string gateway);

        [LoggerMessage(EventId = 3101, Level = LogLevel.Information, Message = "Silo ready again: an active member, and its probe call answered")]
        public static partial void Recovered(ILogger logger);

        [LoggerMessage(EventId = 3102, Level = LogLevel.Critical, Message = "Silo giving up and stopping with exit code 3 so it restarts as a new member: {Reason}")]
        public static partial void GivingUp(ILogger logger, string reason);

        [LoggerMessage(EventId = 3103, Level = LogLevel.Error, Message = "The silo's health loop failed; readiness reports it")]
        public static partial void LoopFailed(ILogger logger, Exception exception);
    }
}

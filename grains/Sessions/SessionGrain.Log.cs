using Microsoft.Extensions.Logging;

namespace DSPex.Orleans.Sessions;

internal static partial class SessionGrainLog
{
    [LoggerMessage(EventId = 1400, Level = LogLevel.Warning, Message = "Session {SessionId}: its storage refused a write")]
    public static partial void StorageRefusedWrite(this ILogger logger, Exception exception, string sessionId);

    [LoggerMessage(EventId = 1401, Level = LogLevel.Warning, Message = "Session {SessionId}: could not set the key expiry of its stored state")]
    public static partial void KeyExpiryNotSet(this ILogger logger, Exception exception, string sessionId);

    [LoggerMessage(EventId = 1402, Level = LogLevel.Warning, Message = "Session {SessionId}: could not leave its expiry reminder")]
    public static partial void ExpiryReminderNotLeft(this ILogger logger, Exception exception, string sessionId);

    [LoggerMessage(EventId = 1410, Level = LogLevel.Information, Message = "Session {SessionId}: call {CallId} came again and was answered from its record (finished: {Finished}), not run again")]
    public static partial void CallRepeated(this ILogger logger, string sessionId, Guid callId, bool finished);
}

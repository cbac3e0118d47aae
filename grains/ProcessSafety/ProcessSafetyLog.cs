using DSPex.Orleans.Contracts;
using DSPex.Orleans.Workers.ProcessSafety;
using Microsoft.Extensions.Logging;

namespace DSPex.Orleans.ProcessSafety;

/// <summary>Everything process safety logs, with event ids 1200-1299.</summary>
internal static partial class ProcessSafetyLog
{
    /// <summary>A sweep's report: Information when it found or failed something or was not the periodic one, else Debug.</summary>
    [LoggerMessage(EventId = 1200, Message = "{Report}{Details}")]
    public static partial void Swept(this ILogger logger, LogLevel level, SweepReport report, string details);

    [LoggerMessage(EventId = 1201, Level = LogLevel.Information, Message = "{Report}")]
    public static partial void SweptAtStop(this ILogger logger, SweepReport report);

    [LoggerMessage(EventId = 1202, Level = LogLevel.Warning, Message = "The reaper on {Silo} did not answer the {Trigger} sweep")]
    public static partial void SiloSweepUnanswered(this ILogger logger, Exception exception, SiloAddress silo, string trigger);

    [LoggerMessage(EventId = 1203, Level = LogLevel.Error, Message = "Could not write the process registry {Path}")]
    public static partial void RegistryNotWritten(this ILogger logger, Exception exception, string path);

    // 1204 and 1205 (a worker's leftovers ended, or not) are LeftBehindProcesses' in DSPex.Orleans.Processes.

    [LoggerMessage(EventId = 1206, Level = LogLevel.Warning,
        Message = "This silo could not become a child subreaper ({Error}): processes a worker's code detaches with setsid() may outlive it")]
    public static partial void SubreaperRefused(this ILogger logger, string error);

    [LoggerMessage(EventId = 1207, Level = LogLevel.Debug,
        Message = "Child subreaper on: what worker code detaches comes back to this silo, and {Watcher} ends it with its worker")]
    public static partial void SubreaperOn(this ILogger logger, string watcher);

    [LoggerMessage(EventId = 1208, Level = LogLevel.Error, Message = "The start sweep failed")]
    public static partial void StartSweepFailed(this ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1209, Level = LogLevel.Warning, Message = "Periodic orphan sweeps are off: the sweep reminder could not be registered")]
    public static partial void SweepReminderNotRegistered(this ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1210, Level = LogLevel.Error, Message = "The stop sweep failed")]
    public static partial void StopSweepFailed(this ILogger logger, Exception exception);
}

using DSPex.Orleans.Configuration;
using DSPex.Orleans.Processes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DSPex.Orleans.ProcessSafety;

/// <summary>
/// Starts the silo's death watch before the pools warm up (they start at Active, this runs at BecomeActive), with the
/// default pool's interpreter, and closes it at a clean stop once the pools have stopped.
/// </summary>
internal sealed partial class SiloDeathWatchLifecycle(
    SiloDeathWatch watch,
    IOptionsMonitor<DSPexPoolOptions> pools,
    ILogger<SiloDeathWatchLifecycle> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(SiloDeathWatchLifecycle), ServiceLifecycleStage.BecomeActive, StartAsync, StopAsync);

    private async Task StartAsync(CancellationToken cancellationToken)
    {
        var options = pools.Get(Options.DefaultName);
        try
        {
            var python = await PythonInterpreter.ResolveAsync(options.PythonExecutable, options.StartTimeout, logger, cancellationToken);
            watch.Start(python, BridgeLocation.Resolve(options.BridgeDirectory));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Workers still end by their own watchdog and stdin EOF; only one stuck in C would outlive a crash.
            Log.NotStarted(logger, e);
        }
    }

    private async Task StopAsync(CancellationToken cancellationToken) => await watch.DisposeAsync();

    private static partial class Log
    {
        [LoggerMessage(EventId = 1216, Level = LogLevel.Error,
            Message = "The death watch could not start: a worker stuck in C code would outlive a crash of this silo until a sweep")]
        public static partial void NotStarted(ILogger logger, Exception exception);
    }
}

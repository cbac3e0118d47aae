using DSPex.Orleans.Configuration;
using DSPex.Orleans.Processes;
using DSPex.Orleans.Workers.Python;
using DSPex.Orleans.Workers.Bridge;
using DSPex.Orleans.Workers.Processes;
using DSPex.Orleans.Workers.Supervision;
using Microsoft.Extensions.Logging;

namespace DSPex.Orleans.Pool;

/// <summary>
/// Starts a pool's Python workers as its options say: its interpreter (resolved once, at the warm-up), bridge,
/// adapters, environment and limits, and each worker's marker (cluster, silo, worker id, this silo process's token).
/// The slots' supervisors call it; the spawn is reported at once (the silo's death watch registers the process).
/// </summary>
internal sealed class PythonWorkerStarter(
    DSPexPoolOptions options,
    string clusterId,
    string siloKey,
    string instanceToken,
    Func<int, string> workerIdOf,
    int concurrency,
    ILoggerFactory loggerFactory,
    Action<PythonProcess> spawned) : IWorkerStarter<PythonProcess>
{
    /// <summary>The category of everything a worker process logs, its stderr lines included.</summary>
    public const string WorkerLogCategory = "DSPex.Orleans.PythonWorker";

    private readonly ILogger _workerLogger = loggerFactory.CreateLogger(WorkerLogCategory);
    private string? _pythonExecutable;

    /// <summary>
    /// Finds the real interpreter behind the configured one (a pyenv shim costs a shell per start), bounded like a
    /// worker's start: an executable that hangs or never closes its output fails this pool alone.
    /// </summary>
    public async Task ResolveInterpreterAsync(ILogger logger, CancellationToken cancellationToken) =>
        _pythonExecutable = await PythonInterpreter.ResolveAsync(options.PythonExecutable, options.StartTimeout, logger, cancellationToken);

    /// <summary>
    /// Starts the slot's worker; a start that fails throws the public <see cref="WorkerStartException"/> (the core's
    /// <see cref="BridgeStartException"/> is its inner cause, with the cause under that), as it did before the
    /// connection moved into the core.
    /// </summary>
    public async Task<PythonProcess> StartAsync(int slot, CancellationToken cancellationToken)
    {
        try
        {
            return await PythonProcess.StartAsync(StartInfo(slot), _workerLogger, cancellationToken);
        }
        catch (BridgeStartException e)
        {
            throw new WorkerStartException(e.Message, e);
        }
    }

    /// <summary>What the slot's worker is started with.</summary>
    internal PythonProcessStartInfo StartInfo(int slot)
    {
        var workerId = workerIdOf(slot);
        return new PythonProcessStartInfo(
            workerId,
            _pythonExecutable ?? PythonInterpreter.Resolve(options.PythonExecutable),
            BridgeLocation.Resolve(options.BridgeDirectory),
            new ProcessMarker(clusterId, siloKey, workerId, instanceToken),
            options.AdapterModules,
            options.AdapterPaths,
            options.Environment,
            options.InheritEnvironment,
            options.MaxFrameBytes,
            concurrency,
            options.StartTimeout)
        {
            StderrLogLevel = options.StderrLogLevel,
            Spawned = spawned,
        };
    }
}

using DSPex.Orleans.Benchmarks.Infrastructure;
using DSPex.Orleans.Processes;
using DSPex.Orleans.Workers.Python;
using DSPex.Orleans.Workers.Processes;
using Microsoft.Extensions.Logging.Abstractions;

namespace DSPex.Orleans.Benchmarks.Scenarios;

/// <summary>
/// Starts bridge processes exactly as the pool does (same start info, same interpreter resolution), without Orleans.
/// Shared by the raw-pipe scenarios and the start-up measurements.
/// </summary>
public sealed class BridgeWorkers(string clusterId, string pythonExecutable, int maxFrameBytes = 16 * 1024 * 1024)
{
    private readonly string _token = Guid.NewGuid().ToString("N");
    private readonly string _interpreter = PythonInterpreter.Resolve(pythonExecutable);
    private int _nextWorker;

    public string ClusterId => clusterId;

    internal PythonProcessStartInfo StartInfo()
    {
        var workerId = $"bench-raw-{Interlocked.Increment(ref _nextWorker)}";
        return new PythonProcessStartInfo(
            workerId,
            _interpreter,
            BenchmarkPaths.BridgeDirectory,
            new ProcessMarker(clusterId, "bench-raw", workerId, _token),
            [BenchmarkPaths.AdapterModule],
            [BenchmarkPaths.AdapterDirectory],
            new Dictionary<string, string>(),
            InheritedVariables: [],
            MaxFrameBytes: maxFrameBytes,
            Concurrency: 1,
            StartTimeout: TimeSpan.FromSeconds(30));
    }

    internal Task<PythonProcess> StartOneAsync(CancellationToken cancellationToken = default) =>
        PythonProcess.StartAsync(StartInfo(), NullLogger.Instance, cancellationToken);
}

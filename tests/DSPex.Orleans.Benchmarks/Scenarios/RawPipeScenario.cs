using DSPex.Orleans.Benchmarks.Workloads;
using DSPex.Orleans.Workers.Bridge;
using DSPex.Orleans.Workers.Python;

namespace DSPex.Orleans.Benchmarks.Scenarios;

/// <summary>
/// The physical limit: the product's own PythonProcess channel, driven straight from the benchmark (no Orleans,
/// no pool). Caller i always uses worker i mod W, and several callers may pipeline requests on one pipe, so Python
/// never waits for the next request: no real pool can beat this with the same workers.
/// </summary>
public sealed class RawPipeScenario(BridgeWorkers bridge, int workers) : IScenario
{
    private readonly List<PythonProcess> _processes = [];

    public string Name => $"raw-pipe-{workers}w";

    public string Description => $"PythonProcess's connection (Send) over the pipes of {workers} bridge worker(s); no Orleans";

    public int Workers => workers;

    public bool CallsBlockThread => false;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var started = await Task.WhenAll(Enumerable.Range(0, workers).Select(_ => bridge.StartOneAsync(cancellationToken)));
        _processes.AddRange(started);
    }

    public async ValueTask CallAsync(Workload workload, int caller)
    {
        var reply = await _processes[caller % _processes.Count].Connection.Send(new BridgeCall(workload.Command, workload.ArgsJson)).Finished;
        if (reply.Error is { } error)
        {
            throw new InvalidOperationException($"{error.Kind}: {error.Message}");
        }
    }

    public IReadOnlyList<int> WorkerPids() => [.. _processes.Select(p => p.Pid)];

    public ScenarioMemory? Memory() => new(
        Name, null, null, [.. _processes.Select(p => p.SampleResidentBytes())], "bridge processes started by the benchmark");

    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(_processes.Select(p => p.DisposeAsync().AsTask()));
        _processes.Clear();
    }
}

using DSPex.Orleans.Benchmarks.Workloads;
using DSPex.Orleans.Contracts;
using DSPex.Orleans.Grains;

namespace DSPex.Orleans.Benchmarks.Scenarios.ClientCost;

/// <summary>
/// The control for the full path's client cost: orleans-floor's call (same client, connection, silo and callers), but
/// the floor grain holds each answer back (its floor-delay command) so the call takes as long as cluster-remote's did
/// in the same cell. Its client CPU and context switches per call against cluster-remote's say how much of the full
/// path's client cost is the wait alone (idle thread-pool threads spinning, replies arriving one by one) rather than
/// the client library. The sweep sets the delay before each cell from the latest cluster-remote and orleans-floor
/// measurements of that cell (<see cref="FloorDelayCalibration"/>), and the achieved latency is reported beside cluster-remote's.
/// </summary>
public sealed class FloorDelayScenario(ClusterSettings cluster, ClusterRemoteScenario remote) : IScenario
{
    public const string ScenarioName = "floor-delay";

    /// <summary>The full path whose latency this control copies.</summary>
    public const string Matched = "cluster-remote";

    private const int Keys = 64;
    private int _next;

    public string Name => ScenarioName;

    public string Description => "orleans-floor's call answered after a delay that matches cluster-remote's latency in the same cell (the wait alone, no DSPex library, no pool, no Python)";

    public int Workers => cluster.PoolSize;

    public bool CallsBlockThread => false;

    /// <summary>The delay, matched by the sweep before each cell.</summary>
    public FloorDelayCalibration Delay { get; } = new();

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async ValueTask CallAsync(Workload workload, int caller)
    {
        var key = (uint)Interlocked.Increment(ref _next) % Keys;
        var response = await remote.Grains.GetGrain<IBenchmarkFloorGrain>(key)
            .ExecuteAsync(new ExecuteRequest(Benchmarking.FloorDelay.Command, Delay.ArgsJson, CallId: Guid.NewGuid()));
        if (response.Error is { } error)
        {
            throw new InvalidOperationException($"{error.Kind}: {error.Message}");
        }
    }

    public int? SiloPid => remote.SiloPid;

    public IReadOnlyList<int> WorkerPids() => cluster.WorkerPids();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

using DSPex.Orleans.Benchmarks.Workloads;
using DSPex.Orleans.Contracts;
using DSPex.Orleans.Grains;

namespace DSPex.Orleans.Benchmarks.Scenarios;

/// <summary>
/// Orleans' own floor, on the same client connection and silo process as <see cref="ClusterRemoteScenario"/>: the
/// same request to a grain placed and scheduled as the router (IBenchmarkFloorGrain, served because the benchmark
/// starts its silo with DSPex:Silo:BenchmarkFloor=true) that answers without a pool or Python. cluster-remote minus
/// orleans-floor, per call, is what the DSPex path adds to Orleans.
/// </summary>
public sealed class OrleansFloorScenario(ClusterSettings cluster, ClusterRemoteScenario remote) : IScenario
{
    private const int Keys = 64; // as many grain keys as the client spreads router calls over
    private int _next;

    public string Name => "orleans-floor";

    public string Description => "the cluster-remote client and silo -> floor grain (router-shaped, answers without Python)";

    public int Workers => cluster.PoolSize;

    public bool CallsBlockThread => false;

    // cluster-remote starts the silo and the client; it is started first.
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async ValueTask CallAsync(Workload workload, int caller)
    {
        var key = (uint)Interlocked.Increment(ref _next) % Keys;
        var response = await remote.Grains.GetGrain<IBenchmarkFloorGrain>(key)
            .ExecuteAsync(new ExecuteRequest(workload.Command, workload.ArgsJson, CallId: Guid.NewGuid()));
        if (response.Error is { } error)
        {
            throw new InvalidOperationException($"{error.Kind}: {error.Message}");
        }
    }

    public int? SiloPid => remote.SiloPid;

    public IReadOnlyList<int> WorkerPids() => cluster.WorkerPids();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

using DSPex.Orleans.Benchmarks.Workloads;
using DSPex.Orleans.Contracts;
using DSPex.Orleans.Grains;

namespace DSPex.Orleans.Benchmarks.Scenarios.ClientCost;

/// <summary>
/// orleans-floor with one thing of the client library's added: a cancellable token (a fresh
/// CancellationTokenSource per call, as the library made for every call) passed to the grain call. Its cost against
/// orleans-floor is what passing a token costs Orleans' client and silo.
/// </summary>
public sealed class FloorTokenScenario(ClusterSettings cluster, ClusterRemoteScenario remote) : IScenario
{
    private const int Keys = 64;
    private int _next;

    public string Name => "floor-token";

    public string Description => "orleans-floor's call with a cancellable token (a CancellationTokenSource per call)";

    public int Workers => cluster.PoolSize;

    public bool CallsBlockThread => false;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async ValueTask CallAsync(Workload workload, int caller)
    {
        var key = (uint)Interlocked.Increment(ref _next) % Keys;
        using var cancellation = new CancellationTokenSource();
        var response = await remote.Grains.GetGrain<IBenchmarkFloorGrain>(key)
            .ExecuteAsync(new ExecuteRequest(workload.Command, workload.ArgsJson, CallId: Guid.NewGuid()), cancellation.Token);
        if (response.Error is { } error)
        {
            throw new InvalidOperationException($"{error.Kind}: {error.Message}");
        }
    }

    public int? SiloPid => remote.SiloPid;

    public IReadOnlyList<int> WorkerPids() => cluster.WorkerPids();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

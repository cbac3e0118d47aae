using DSPex.Orleans.Benchmarks.Workloads;
using DSPex.Orleans.Contracts;

namespace DSPex.Orleans.Benchmarks.Scenarios.ClientCost;

/// <summary>
/// A build of the client library on cluster-remote's connection and silo: its execute calls to the floor grain
/// (<c>client-floor</c>: the library's own cost, against orleans-floor in the same cell) or to the router
/// (<c>cluster-remote-client-NAME</c>: another build of the library on the full path, against cluster-remote).
/// With a <see cref="FloorDelayCalibration"/> (<c>client-floor-delay</c>) the floor holds each answer back as floor-delay does:
/// the library's cost while it waits as long as on the full path, against floor-delay (the same wait, no library).
/// </summary>
public sealed class ClientCostScenario(ClusterSettings cluster, ClusterRemoteScenario remote, ClientBuild build, bool toFloor, FloorDelayCalibration? delay = null) : IScenario
{
    private Func<string, string, ValueTask<ExecuteResponse>>? _execute;

    /// <summary>The floor's delay, when this is client-floor-delay (matched by the sweep before each cell).</summary>
    public FloorDelayCalibration? Delay => delay;

    public string Name => (toFloor ? delay is null ? "client-floor" : "client-floor-delay" : "cluster-remote-client") + (build == ClientBuild.Current ? "" : $"-{build.Name}");

    public string Description => (build == ClientBuild.Current ? "this build's DSPexClient" : $"DSPexClient of build '{build.Name}'")
        + (toFloor ? " -> cluster-remote's connection -> the floor grain (in place of the router)" + (delay is null ? "" : ", answering after floor-delay's delay") : " -> cluster-remote's connection and silo");

    public int Workers => cluster.PoolSize;

    public bool CallsBlockThread => false;

    // cluster-remote starts the silo and the client; it is started first.
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _execute = build.CreateClient(toFloor ? new FloorGrainFactory(remote.Grains, delay) : remote.Grains);
        return Task.CompletedTask;
    }

    public async ValueTask CallAsync(Workload workload, int caller)
    {
        var response = await _execute!(workload.Command, workload.ArgsJson);
        if (response.Error is { } error)
        {
            throw new InvalidOperationException($"{error.Kind}: {error.Message}");
        }
    }

    public int? SiloPid => remote.SiloPid;

    public IReadOnlyList<int> WorkerPids() => cluster.WorkerPids();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

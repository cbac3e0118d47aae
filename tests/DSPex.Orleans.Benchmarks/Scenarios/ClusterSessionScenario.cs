using DSPex.Orleans.Benchmarks.Workloads;
using DSPex.Orleans.Client;

namespace DSPex.Orleans.Benchmarks.Scenarios;

/// <summary>
/// The session path on the same remote silo and client as <see cref="ClusterRemoteScenario"/>: DSPexClient ->
/// session grain (affinity, variables, state written per call) -> pool -> pipe. One session per caller, so callers
/// run in parallel as sessions of different users would; the ratio to cluster-remote is the session's overhead.
/// </summary>
public sealed class ClusterSessionScenario(ClusterSettings cluster, ClusterRemoteScenario remote) : IScenario
{
    private readonly Dictionary<int, DSPexSession> _sessions = [];

    public string Name => "cluster-session";

    public string Description => "DSPexClient -> real dspex-silo process (the cluster-remote one) -> session grain -> pool -> pipe";

    public int Workers => cluster.PoolSize;

    public bool CallsBlockThread => false;

    // cluster-remote starts the silo and the client; it is started first.
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async ValueTask CallAsync(Workload workload, int caller)
    {
        DSPexSession? session;
        lock (_sessions)
        {
            if (!_sessions.TryGetValue(caller, out session))
            {
                _sessions[caller] = session = remote.Client.Session($"bench-{caller}-{Guid.NewGuid():N}");
            }
        }

        var response = await session.ExecuteResponseAsync(workload.Command, workload.ArgsJson);
        if (response.Error is { } error)
        {
            throw new InvalidOperationException($"{error.Kind}: {error.Message}");
        }
    }

    public int? SiloPid => remote.SiloPid;

    public IReadOnlyList<int> WorkerPids() => cluster.WorkerPids();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

using DSPex.Orleans.Benchmarks.Workloads;
using DSPex.Orleans.Client;
using DSPex.Orleans.Client.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DSPex.Orleans.Benchmarks.Scenarios;

/// <summary>
/// The session path on the same remote silo as <see cref="ClusterRemoteScenario"/>: DSPexClient -> session grain
/// (affinity, variables, state written per call) -> pool -> pipe. One session per caller, so callers run in
/// parallel as sessions of different users would; the ratio to cluster-remote is the session's overhead.
/// </summary>
public sealed class ClusterSessionScenario(ClusterSettings cluster, ClusterRemoteScenario remote) : IScenario
{
    private IHost? _clientHost;
    private DSPexClient? _client;
    private readonly Dictionary<int, DSPexSession> _sessions = [];

    public string Name => "cluster-session";

    public string Description => "DSPexClient -> real dspex-silo process (the cluster-remote one) -> session grain -> pool -> pipe";

    public int Workers => cluster.PoolSize;

    public bool CallsBlockThread => false;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // The remote scenario starts the silo; it is started first.
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [] });
        builder.Logging.ClearProviders().AddConsole().SetMinimumLevel(LogLevel.Warning);
        builder.AddDSPexClient(o =>
        {
            o.ClusterId = cluster.ClusterId;
            o.ServiceId = ClusterSettings.ServiceId;
            o.GatewayPort = cluster.GatewayPort;
        });
        _clientHost = builder.Build();
        await _clientHost.StartAsync(cancellationToken);
        _client = _clientHost.Services.GetRequiredService<DSPexClient>();
    }

    public async ValueTask CallAsync(Workload workload, int caller)
    {
        DSPexSession? session;
        lock (_sessions)
        {
            if (!_sessions.TryGetValue(caller, out session))
            {
                _sessions[caller] = session = _client!.Session($"bench-{caller}-{Guid.NewGuid():N}");
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

    public async ValueTask DisposeAsync()
    {
        if (_clientHost is not null)
        {
            await _clientHost.StopAsync(TimeSpan.FromSeconds(10));
            _clientHost.Dispose();
            _clientHost = null;
        }
    }
}

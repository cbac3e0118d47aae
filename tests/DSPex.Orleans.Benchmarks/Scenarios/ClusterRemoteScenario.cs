using DSPex.Orleans.Benchmarks.Infrastructure;
using DSPex.Orleans.Benchmarks.Workloads;
using DSPex.Orleans.Client;
using DSPex.Orleans.Client.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace DSPex.Orleans.Benchmarks.Scenarios;

/// <summary>
/// The real deployment path: the real silo executable in its own process, and this process as an Orleans client
/// over loopback: DSPexClient -> gateway -> router grain -> pool -> pipe -> Python, and back.
/// </summary>
public sealed class ClusterRemoteScenario(ClusterSettings cluster, SiloVariant? variant = null, Action<DSPexClientOptions>? configureClient = null) : IScenario
{
    private SiloChildProcess? _silo;
    private IHost? _connection;
    private DSPexClient? _client;
    private IGrainFactory? _grains;

    public string Name => variant is null ? "cluster-remote" : $"cluster-remote-{variant.Name}";

    public string Description => "DSPexClient in this process -> loopback TCP -> real dspex-silo process -> pool -> pipe"
        + (variant is null ? "" : $"; variant: {variant}");

    public int Workers => cluster.PoolSize;

    public bool CallsBlockThread => false;

    public SiloChildProcess? Silo => _silo;

    /// <summary>The connected client, once started (the session scenario drives the same silo through it).</summary>
    public DSPexClient Client => _client ?? throw new InvalidOperationException("cluster-remote is not started");

    /// <summary>The same connection's grain factory (the floor scenario calls its grain through it).</summary>
    public IGrainFactory Grains => _grains ?? throw new InvalidOperationException("cluster-remote is not started");

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _silo = SiloChildProcess.Start(cluster, variant);
        await _silo.WaitUntilWarmAsync(TimeSpan.FromSeconds(90));
        _connection = await RemoteClientHost.ConnectAsync(cluster, configureClient, cancellationToken);
        _client = _connection.Services.GetRequiredService<DSPexClient>();
        _grains = _connection.Services.GetRequiredService<IGrainFactory>();
    }

    public async ValueTask CallAsync(Workload workload, int caller)
    {
        var response = await _client!.ExecuteResponseAsync(workload.Command, workload.ArgsJson);
        if (response.Error is { } error)
        {
            throw new InvalidOperationException($"{error.Kind}: {error.Message}");
        }
    }

    public int? SiloPid => _silo?.Pid;

    public IReadOnlyList<int> WorkerPids() => cluster.WorkerPids();

    public ScenarioMemory? Memory() => new(
        Name, null, _silo?.ResidentBytes(), cluster.WorkerResidentBytes(), "host = the dspex-silo process (RSS)",
        _silo is null ? null : OsProcess.Memory(_silo.Pid));

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.StopAsync(TimeSpan.FromSeconds(10));
            _connection.Dispose();
            _connection = null;
        }

        if (_silo is not null)
        {
            await _silo.DisposeAsync();
            _silo = null;
        }
    }
}

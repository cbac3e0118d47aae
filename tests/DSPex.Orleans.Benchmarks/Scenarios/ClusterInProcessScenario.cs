using DSPex.Orleans.Benchmarks.Infrastructure;
using DSPex.Orleans.Benchmarks.Workloads;
using DSPex.Orleans.Client;
using DSPex.Orleans.Client.Hosting;
using DSPex.Orleans.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DSPex.Orleans.Benchmarks.Scenarios;

/// <summary>
/// Silo and client in this process (the co-hosted form): DSPexClient -> router grain -> pool -> pipe, with no
/// network hop. For reference next to the remote client, which is the real deployment path. The I/O-bound cell runs
/// it with many calls per worker (<paramref name="concurrencyPerWorker"/>).
/// </summary>
public sealed class ClusterInProcessScenario(ClusterSettings cluster, int concurrencyPerWorker = 1, int? maxFrameBytes = null) : IScenario
{
    private IHost? _host;
    private DSPexClient? _client;
    private long _heapGrowthAtStart;

    public string Name => "cluster-inproc";

    public string Description => "DSPexClient co-hosted with the silo in this process; router grain -> pool -> pipe";

    public int Workers => cluster.PoolSize;

    public bool CallsBlockThread => false;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var heapBefore = GC.GetTotalMemory(forceFullCollection: true);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [] });
        builder.Logging.ClearProviders().AddConsole().SetMinimumLevel(LogLevel.Warning);
        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(cluster.SiloPort, cluster.GatewayPort, null, ClusterSettings.ServiceId, cluster.ClusterId);
            silo.AddDSPexWorkerPool(pool =>
            {
                pool.Size = cluster.PoolSize;
                pool.ConcurrencyPerWorker = concurrencyPerWorker;
                pool.PythonExecutable = cluster.PythonExecutable;
                pool.BridgeDirectory = BenchmarkPaths.BridgeDirectory;
                pool.AdapterModules = [BenchmarkPaths.AdapterModule];
                pool.AdapterPaths = [BenchmarkPaths.AdapterDirectory];
                if (maxFrameBytes is { } limit)
                {
                    pool.MaxFrameBytes = limit;
                }
            });
        });
        builder.Services.AddDSPexClient();
        _host = builder.Build();
        await _host.StartAsync(cancellationToken);
        _client = maxFrameBytes is { } requestLimit
            ? new DSPexClient(_host.Services.GetRequiredService<IGrainFactory>(), maxRequestBytes: requestLimit)
            : _host.Services.GetRequiredService<DSPexClient>();
        _heapGrowthAtStart = GC.GetTotalMemory(forceFullCollection: true) - heapBefore;
    }

    /// <summary>The co-hosted client, once started.</summary>
    public DSPexClient Client => _client ?? throw new InvalidOperationException("not started");

    public async ValueTask CallAsync(Workload workload, int caller)
    {
        var response = await _client!.ExecuteResponseAsync(workload.Command, workload.ArgsJson);
        if (response.Error is { } error)
        {
            throw new InvalidOperationException($"{error.Kind}: {error.Message}");
        }
    }

    public IReadOnlyList<int> WorkerPids() => cluster.WorkerPids();

    public ScenarioMemory? Memory() => new(
        Name, _heapGrowthAtStart, null, cluster.WorkerResidentBytes(),
        "managed heap = growth of this process's heap when the silo (and its client) started, after a full GC");

    public async ValueTask DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.StopAsync(TimeSpan.FromSeconds(30));
            _host.Dispose();
            _host = null;
        }
    }
}

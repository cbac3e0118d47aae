using System.Collections.Concurrent;
using DSPex.Orleans.Benchmarks.Infrastructure;
using DSPex.Orleans.Tests.Infrastructure;
using DSPex.Orleans.Benchmarks.Scenarios;
using DSPex.Orleans.Client;
using DSPex.Orleans.Client.Hosting;
using DSPex.Orleans.Configuration;
using DSPex.Orleans.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DSPex.Orleans.Benchmarks.Scale;

/// <summary>
/// Silos in this process (the scale and soak modes): each its own host on loopback ports, the first the primary the
/// others join, every one running a real Python worker pool of the test adapter (sleep, raise_error, remember,
/// numbers) and the example programs. A co-hosted client lives in the first silo's host. Every grain call any silo
/// receives is counted by interface and method, so a cluster-wide operation's cost is read as calls.
/// </summary>
public sealed class InProcessSilos : IAsyncDisposable
{
    private readonly List<IHost> _hosts = [];

    private InProcessSilos(ClusterSettings cluster) => Cluster = cluster;

    public ClusterSettings Cluster { get; }

    public GrainCallCounter Calls { get; } = new();

    public int Count => _hosts.Count;

    public IClusterClient OrleansClient => _hosts[0].Services.GetRequiredService<IClusterClient>();

    public DSPexClient Client => _hosts[0].Services.GetRequiredService<DSPexClient>();

    public IServiceProvider Services(int silo) => _hosts[silo].Services;

    public static async Task<InProcessSilos> StartAsync(
        string name, int silos, int poolSize, string python, Action<DSPexSessionOptions>? sessions = null, Action<DSPexPoolOptions>? pool = null)
    {
        var cluster = ClusterSettings.Create(name, poolSize, python);
        var result = new InProcessSilos(cluster);
        var primary = new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, cluster.SiloPort);
        for (var i = 0; i < silos; i++)
        {
            var siloPort = i == 0 ? cluster.SiloPort : FreePorts.Next();
            var gatewayPort = i == 0 ? cluster.GatewayPort : FreePorts.Next();
            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [] });
            builder.Logging.ClearProviders().AddConsole().SetMinimumLevel(LogLevel.Warning);
            builder.UseOrleans(silo =>
            {
                silo.UseLocalhostClustering(siloPort, gatewayPort, i == 0 ? null : primary, ClusterSettings.ServiceId, cluster.ClusterId);
                silo.UseInMemoryReminderService();
                silo.AddDSPexWorkerPool(o =>
                {
                    o.Size = poolSize;
                    o.PythonExecutable = python;
                    o.BridgeDirectory = BenchmarkPaths.BridgeDirectory;
                    o.AdapterModules = ["dspex_test_adapter", "dspex.examples"];
                    o.AdapterPaths = [Path.Combine(BenchmarkPaths.RepositoryRoot, "tests", "DSPex.Orleans.Tests", "python")];
                    o.StderrLogLevel = LogLevel.Debug;
                    pool?.Invoke(o);
                });
                silo.AddDSPexSessions(sessions);
                silo.AddIncomingGrainCallFilter(new CountingFilter(result.Calls));
            });
            if (i == 0)
            {
                builder.Services.AddDSPexClient();
            }

            var host = builder.Build();
            await host.StartAsync();
            result._hosts.Add(host);
        }

        return result;
    }

    /// <summary>Stops every silo (last first), then kills by pid any worker of this cluster still alive.</summary>
    public async ValueTask DisposeAsync()
    {
        for (var i = _hosts.Count - 1; i >= 0; i--)
        {
            try
            {
                await _hosts[i].StopAsync(TimeSpan.FromSeconds(30));
            }
            finally
            {
                _hosts[i].Dispose();
            }
        }

        _hosts.Clear();
        foreach (var pid in Cluster.WorkerPids())
        {
            Console.Error.WriteLine($"worker pid {pid} of {Cluster.ClusterId} outlived its silo; killing it");
            OsProcess.Signal(pid, OsProcess.SIGKILL);
        }
    }

    private sealed class CountingFilter(GrainCallCounter counter) : IIncomingGrainCallFilter
    {
        public Task Invoke(IIncomingGrainCallContext context)
        {
            // DSPex's own grains only: Orleans' background calls (load statistics, reminders, timers) are not the operation's.
            if (context.InterfaceName.Contains("DSPex", StringComparison.Ordinal))
            {
                counter.Add($"{context.InterfaceName.Split('.').Last()}.{context.MethodName}");
            }

            return context.Invoke();
        }
    }
}

/// <summary>Grain calls received by any in-process silo, by "Interface.Method".</summary>
public sealed class GrainCallCounter
{
    private readonly ConcurrentDictionary<string, long> _counts = new();

    public void Add(string method) => _counts.AddOrUpdate(method, 1, (_, n) => n + 1);

    public IReadOnlyDictionary<string, long> Snapshot() => new Dictionary<string, long>(_counts);

    /// <summary>Calls per method between two snapshots (methods with none left out).</summary>
    public static Dictionary<string, long> Between(IReadOnlyDictionary<string, long> before, IReadOnlyDictionary<string, long> after) =>
        after.Select(kv => (kv.Key, Count: kv.Value - before.GetValueOrDefault(kv.Key)))
            .Where(kv => kv.Count > 0)
            .OrderBy(kv => kv.Key, StringComparer.Ordinal)
            .ToDictionary(kv => kv.Key, kv => kv.Count);
}

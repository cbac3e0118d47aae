using DSPex.Orleans.Client;
using DSPex.Orleans.Contracts;
using DSPex.Orleans.Grains;
using DSPex.Orleans.Tests.Infrastructure;
using Orleans.TestingHost;

namespace DSPex.Orleans.Tests.Robustness;

/// <summary>
/// One silo with 2 workers serving one request each (so a queued request is handed over on a reader thread), a
/// 1 MiB frame limit (cheap to reach), a 5 minute maximum deadline and a 2 second stream idle limit. Shared by
/// the tests of what callers may send (over TCP, so the CLI tests can reach its gateway from another process); they run one after another, so "all workers idle" is theirs to check.
/// </summary>
public sealed class RobustnessClusterFixture : IAsyncLifetime
{
    public const int PoolSize = 2;

    public const int MaxFrameBytes = 1024 * 1024;

    public static readonly TimeSpan MaxRequestTimeout = TimeSpan.FromMinutes(5);

    public static readonly TimeSpan StreamIdleTimeout = TimeSpan.FromSeconds(2);

    public TestCluster Cluster { get; private set; } = null!;

    public DSPexClient Client { get; private set; } = null!;

    public IPoolGrain Pool => Cluster.PrimaryPool();

    /// <summary>
    /// The primary silo's pool object itself, for requests only the silo can make (an outside caller's session and
    /// program fields are stripped at the grain boundary).
    /// </summary>
    internal DSPex.Orleans.Pool.LocalWorkerPool LocalPool =>
        Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<DSPex.Orleans.Pool.LocalWorkerPool>(
            ((global::Orleans.TestingHost.InProcessSiloHandle)Cluster.Primary!).SiloHost.Services);

    public IRouterGrain Router => Cluster.Client.GetGrain<IRouterGrain>(0);

    public async Task InitializeAsync()
    {
        Cluster = await TestClusters.StartAsync(1, new Dictionary<string, string>
        {
            ["Size"] = PoolSize.ToString(),
            ["ConcurrencyPerWorker"] = "1",
            ["MaxFrameBytes"] = MaxFrameBytes.ToString(),
            ["MaxRequestTimeout"] = MaxRequestTimeout.ToString("c"),
            ["StreamIdleTimeout"] = StreamIdleTimeout.ToString("c"),
            ["CancelGracePeriod"] = "00:00:02",
        },
        // Session variables and a program spec travel in a session call's frame and must fit half of the 1 MiB
        // limit (DSPexSessionOptionsValidator); the defaults (4 MiB + 256 KiB) are sized for the default 16 MiB frame.
        sessions: new Dictionary<string, string>
        {
            ["MaxVariableBytes"] = (128 * 1024).ToString(),
            ["MaxVariablesTotalBytes"] = (256 * 1024).ToString(),
            ["MaxProgramSpecBytes"] = (128 * 1024).ToString(),
        },
        configure: builder => builder.Options.ConnectionTransport = ConnectionTransportType.TcpSocket);
        Client = new DSPexClient(Cluster.Client, maxRequestBytes: MaxFrameBytes);
    }

    public async Task DisposeAsync()
    {
        await Cluster.StopAndDisposeAsync();
    }

    /// <summary>Waits until the pool is back at full capacity: every worker live and idle, nothing queued.</summary>
    public Task<PoolStats> FullCapacityAsync(string after) =>
        Eventually.HoldsAsync(() => Pool.GetStatsAsync(), s => s.Workers == PoolSize && s.Busy == 0 && s.Queued == 0,
            $"the pool is back at full capacity after {after}");
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RobustnessCollection : ICollectionFixture<RobustnessClusterFixture>
{
    public const string Name = "robustness cluster";
}

/// <summary>
/// The CLI's tests, beside the suite's chain of classes (<see cref="TestSuite.SideBySide"/>): their time is each test's
/// CLI process. A robustness cluster of their own, so the shared one's classes (which count its workers and its metric
/// labels) never see their calls.
/// </summary>
[CollectionDefinition(TestSuite.SideBySide.Cli)]
public sealed class CliCollection : ICollectionFixture<RobustnessClusterFixture>;

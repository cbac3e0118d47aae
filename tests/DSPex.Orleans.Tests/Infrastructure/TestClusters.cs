using DSPex.Orleans.Grains;
using DSPex.Orleans.Placement;
using Orleans.TestingHost;

namespace DSPex.Orleans.Tests.Infrastructure;

/// <summary>
/// The one way tests start in-process Orleans test clusters: silos running real Python worker pools of the test
/// adapter, with whatever DSPex:* settings a test adds.
/// </summary>
public static class TestClusters
{
    public static readonly string TestAdapterPath = Path.Combine(AppContext.BaseDirectory, "python");

    public static async Task<TestCluster> StartAsync(
        short silos,
        IReadOnlyDictionary<string, string>? pool = null,
        IReadOnlyDictionary<string, string>? sessions = null,
        string? serviceId = null,
        TimeSpan? responseTimeout = null,
        Action<TestClusterBuilder>? configure = null,
        IReadOnlyDictionary<string, string>? settings = null)
    {
        var builder = new TestClusterBuilder(silos);
        if (responseTimeout is { } timeout)
        {
            builder.Properties[ResponseTimeoutConfigurator.Key] = timeout.ToString("c");
            builder.AddSiloBuilderConfigurator<ResponseTimeoutConfigurator>();
            builder.AddClientBuilderConfigurator<ResponseTimeoutConfigurator>();
        }

        if (serviceId is not null)
        {
            builder.Options.ServiceId = serviceId;
        }

        foreach (var (key, value) in WithSessionsWithinFrame(pool, sessions))
        {
            builder.Properties[$"DSPex:Sessions:{key}"] = value;
        }

        builder.Properties["DSPex:Pool:Size"] = "2";
        builder.Properties["DSPex:Pool:AdapterModules:0"] = "dspex_test_adapter";
        // The example program types (keyword_classifier, template) are an opt-in adapter; the tests use them.
        builder.Properties["DSPex:Pool:AdapterModules:1"] = "dspex.examples";
        builder.Properties["DSPex:Pool:AdapterPaths:0"] = TestAdapterPath;
        builder.Properties["DSPex:Pool:StopGracePeriod"] = "00:00:02";
        foreach (var (key, value) in pool ?? new Dictionary<string, string>())
        {
            builder.Properties[$"DSPex:Pool:{key}"] = value;
        }

        // Full keys ("DSPex:ProcessSafety:SweepPeriod"), for sections without a parameter of their own.
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            builder.Properties[key] = value;
        }

        builder.AddSiloBuilderConfigurator<PoolTestSiloConfigurator>();
        builder.AddClientBuilderConfigurator<WireNamesClientConfigurator>();
        configure?.Invoke(builder);
        var cluster = builder.Build();
        await cluster.DeployAsync().WaitAsync(TestBounds.Start);
        return cluster;
    }

    /// <summary>
    /// A cluster with a small frame limit gets session limits that fit it (the silo refuses to start otherwise: a session
    /// travels in every call's frame), unless the test sets them itself.
    /// </summary>
    private static Dictionary<string, string> WithSessionsWithinFrame(IReadOnlyDictionary<string, string>? pool, IReadOnlyDictionary<string, string>? sessions)
    {
        var result = new Dictionary<string, string>(sessions ?? new Dictionary<string, string>());
        if (pool?.GetValueOrDefault("MaxFrameBytes") is { } frameText && int.TryParse(frameText, out var frame))
        {
            result.TryAdd("MaxVariablesTotalBytes", (frame / 4).ToString(System.Globalization.CultureInfo.InvariantCulture));
            result.TryAdd("MaxProgramSpecBytes", (frame / 8).ToString(System.Globalization.CultureInfo.InvariantCulture));
            result.TryAdd("MaxVariableBytes", (frame / 8).ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        return result;
    }

    /// <summary>The pool grain of one silo of the cluster.</summary>
    public static IPoolGrain PoolOf(this TestCluster cluster, SiloAddress silo) =>
        cluster.Client.GetGrain<IPoolGrain>(SiloKeys.ForSilo(silo));

    /// <summary>The pool grain of the cluster's primary silo.</summary>
    public static IPoolGrain PrimaryPool(this TestCluster cluster) => cluster.PoolOf(cluster.Primary!.SiloAddress);

    /// <summary>Stops every silo (so their Python workers end) and releases the cluster.</summary>
    public static async Task StopAndDisposeAsync(this TestCluster cluster)
    {
        await cluster.StopAllSilosAsync().WaitAsync(TestBounds.Exit);
        await cluster.DisposeAsync();
    }
}

using DSPex.Orleans.Client;
using DSPex.Orleans.Tests.Infrastructure;
using Orleans.TestingHost;

namespace DSPex.Orleans.Tests.Tools;

/// <summary>A 2-silo cluster with a silo tool, and a client offering the test tools.</summary>
public sealed class ToolClusterFixture : IAsyncLifetime
{
    public TestCluster Cluster { get; private set; } = null!;

    public DSPexClient Client { get; private set; } = null!;

    /// <summary>A client of the same cluster without tools of its own.</summary>
    public DSPexClient ClientWithoutTools { get; private set; } = null!;

    public TestTools Tools { get; } = new();

    public async Task InitializeAsync()
    {
        Cluster = await TestClusters.StartAsync(2,
            pool: new Dictionary<string, string> { ["AdapterModules:2"] = "dspex_tool_test_adapter", ["CancelGracePeriod"] = "00:00:10" },
            // The 17 MiB tool result crosses the client connection the probe's answer waits behind: on a loaded
            // machine that took the default 10 s and the call came back ToolUnavailable. No test here probes a
            // client that died (LongClientToolTests does, with its own timeout).
            settings: new Dictionary<string, string> { ["DSPex:Tools:ClientProbeTimeout"] = "00:02:00" },
            configure: builder => builder.AddSiloBuilderConfigurator<ToolSiloConfigurator>());
        Client = new DSPexClient(Cluster.Client, tools: Tools.Build());
        Tools.Client = Client;
        ClientWithoutTools = new DSPexClient(Cluster.Client);
    }

    public async Task DisposeAsync() => await Cluster.StopAndDisposeAsync();

    /// <summary>Every worker of both silos is free again.</summary>
    public Task AllWorkersFreeAsync() => Eventually.HoldsAsync(
        () => Client.GetClusterStatsAsync(), stats => stats.Pools.Sum(p => p.Busy) == 0 && stats.Pools.Sum(p => p.Workers) == 4, "every worker free and the pools at size");
}

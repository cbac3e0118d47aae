using DSPex.Orleans.Client;
using DSPex.Orleans.Contracts;
using DSPex.Orleans.Grains;
using DSPex.Orleans.Tests.Infrastructure;
using Orleans.TestingHost;

namespace DSPex.Orleans.Tests.Lifecycle;

/// <summary>
/// One silo with two workers, a small frame limit and fast heartbeats, shared by the fault tests. Every fault
/// test leaves the pool back at size before the next one runs.
/// </summary>
public sealed class FaultCluster : IAsyncLifetime
{
    public const int MaxFrameBytes = 64 * 1024;

    /// <summary>
    /// Not shorter: the 21 protocol and input tests share these two workers, and a heartbeat answer held up past the
    /// timeout on a loaded machine (3 s was seen as too short beside two busy loops) kills one mid-test. Only the hang
    /// tests in <see cref="HeartbeatTests"/> wait on it, and the long-request one outlasts it.
    /// </summary>
    public static readonly TimeSpan HeartbeatTimeout = TimeSpan.FromSeconds(6);

    public TestCluster Cluster { get; private set; } = null!;

    public DSPexClient Client { get; private set; } = null!;

    public IPoolGrain Pool { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Cluster = await TestClusters.StartAsync(1, new Dictionary<string, string>
        {
            ["MaxFrameBytes"] = MaxFrameBytes.ToString(),
            ["HeartbeatInterval"] = "00:00:00.100",
            ["HeartbeatTimeout"] = HeartbeatTimeout.ToString("c", System.Globalization.CultureInfo.InvariantCulture),
            ["CancelGracePeriod"] = "00:00:00.500",
        },
        // Session variables and a program spec travel in a session call's frame and must fit half of this small
        // frame limit (DSPexSessionOptionsValidator); the defaults are sized for the default 16 MiB frame.
        sessions: new Dictionary<string, string>
        {
            ["MaxVariableBytes"] = (4 * 1024).ToString(),
            ["MaxVariablesTotalBytes"] = (8 * 1024).ToString(),
            ["MaxProgramSpecBytes"] = (4 * 1024).ToString(),
        });
        Client = new DSPexClient(Cluster.Client);
        Pool = Cluster.PrimaryPool();
    }

    public async Task DisposeAsync()
    {
        await Cluster.StopAndDisposeAsync();
    }

    public Task<PoolStats> AtSizeAsync() =>
        Eventually.HoldsAsync(Pool.GetStatsAsync, s => s.Workers == s.Size && s.Busy == 0, "pool back at size and idle");

    /// <summary>Starts a request that keeps the other worker busy, to show a fault does not disturb it.</summary>
    public async Task<Task<ExecuteResponse>> BystanderAsync()
    {
        var bystander = Pool.ExecuteAsync(new ExecuteRequest("sleep", """{"seconds":1}""")).AsTask();
        await Eventually.HoldsAsync(Pool.GetStatsAsync, s => s.Busy == 1, "bystander running");
        return bystander;
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FaultCollection : ICollectionFixture<FaultCluster>
{
    public const string Name = "fault cluster";
}

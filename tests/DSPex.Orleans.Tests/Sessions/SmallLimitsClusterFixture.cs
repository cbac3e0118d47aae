using DSPex.Orleans.Client;
using DSPex.Orleans.Tests.Infrastructure;
using Orleans.TestingHost;

namespace DSPex.Orleans.Tests.Sessions;

/// <summary>
/// One silo with in-memory session storage, small session limits (so tests reach them with small payloads)
/// and a session clock the tests move by hand.
/// </summary>
public sealed class SmallLimitsClusterFixture : IAsyncLifetime
{
    public const int MaxVariableBytes = 1024;
    public const int MaxVariablesTotalBytes = 4096;
    public const int MaxVariables = 20;
    public const int MaxPrograms = 100;
    public const int MaxProgramSpecBytes = 2048;
    public const int MaxMetadataEntries = 4;
    public static readonly TimeSpan MaxTtl = TimeSpan.FromDays(1);

    public TestCluster Cluster { get; private set; } = null!;

    public DSPexClient Client { get; private set; } = null!;

    public ManualSessionClock Clock { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var limits = new Dictionary<string, string>
        {
            ["MaxVariableBytes"] = $"{MaxVariableBytes}",
            ["MaxVariablesTotalBytes"] = $"{MaxVariablesTotalBytes}",
            ["MaxVariables"] = $"{MaxVariables}",
            ["MaxPrograms"] = $"{MaxPrograms}",
            ["MaxProgramSpecBytes"] = $"{MaxProgramSpecBytes}",
            ["MaxMetadataEntries"] = $"{MaxMetadataEntries}",
            ["MaxTtl"] = MaxTtl.ToString("c"),
        };
        Cluster = await TestClusters.StartAsync(1, sessions: limits, configure: builder => Clock = ManualSessionClockConfigurator.AddTo(builder));
        Client = new DSPexClient(Cluster.Client);
    }

    public async Task DisposeAsync()
    {
        await Cluster.StopAndDisposeAsync();
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SmallLimitsCollection : ICollectionFixture<SmallLimitsClusterFixture>
{
    public const string Name = "small session limits cluster";
}

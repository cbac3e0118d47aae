using DSPex.Orleans.Client;
using Orleans.TestingHost;

namespace DSPex.Orleans.Tests.Infrastructure;

/// <summary>A 2-silo cluster with 2 Python workers per silo, shared by the tests that do not change its shape.</summary>
public sealed class TwoSiloClusterFixture : IAsyncLifetime
{
    public TestCluster Cluster { get; private set; } = null!;

    public DSPexClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Cluster = await TestClusters.StartAsync(2);
        Client = new DSPexClient(Cluster.Client);
    }

    public async Task DisposeAsync()
    {
        await Cluster.StopAndDisposeAsync();
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TwoSiloCollection : ICollectionFixture<TwoSiloClusterFixture>
{
    public const string Name = "two-silo cluster";
}

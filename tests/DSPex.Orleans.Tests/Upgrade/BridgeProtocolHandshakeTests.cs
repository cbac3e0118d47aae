using DSPex.Orleans.Client;
using DSPex.Orleans.Client.Errors;
using DSPex.Orleans.Tests.Infrastructure;
using Orleans.TestingHost;

namespace DSPex.Orleans.Tests.Upgrade;

/// <summary>
/// The silo reads the protocol version in the bridge's ready frame: a bridge of another major version fails its
/// worker's start (WorkerStartFailed naming both versions) and is given no work; a newer minor version serves. The
/// bridge is the real one; a test adapter makes it report the version (tests/python/dspex_other_protocol_adapter.py).
/// </summary>
[Trait("Category", "Cluster")]
[Collection(TestSuite.SideBySide.BridgeProtocolHandshake)]
public sealed class BridgeProtocolHandshakeTests
{
    // The bridge under test runs in a named pool: a silo whose default pool cannot start does not start at all
    // (Lifecycle/CoHostingStartTests), while a named pool fails alone and its calls say why.
    private static Task<TestCluster> StartAsync(string reportedVersion) => TestClusters.StartAsync(1, new Dictionary<string, string> { ["Size"] = "1" }, settings: new Dictionary<string, string>
    {
        ["DSPex:Pools:other:Size"] = "1",
        ["DSPex:Pools:other:AdapterModules:0"] = "dspex_other_protocol_adapter",
        ["DSPex:Pools:other:AdapterPaths:0"] = TestClusters.TestAdapterPath,
        ["DSPex:Pools:other:Environment:DSPEX_TEST_REPORTED_PROTOCOL"] = reportedVersion,
        ["DSPex:Pools:other:QueueTimeout"] = "00:00:01",
        ["DSPex:Pools:other:SpillToOtherSilos"] = "false",
    });

    private static readonly ExecuteOptions Other = new() { Pool = "other" };

    [Fact]
    public async Task A_bridge_of_another_major_version_fails_its_workers_start_naming_both_versions()
    {
        var cluster = await StartAsync("3");
        try
        {
            var client = new DSPexClient(cluster.Client);
            await Eventually.HoldsAsync(() => client.GetClusterStatsAsync(), s => s.Pools.Any(p => p.Pool == "other" && p.StartFailure is not null), "the pool reports its start failure");

            var error = await Assert.ThrowsAsync<WorkerStartFailedException>(() => client.ExecuteRawAsync("ping", options: Other));
            Assert.Contains("speaks bridge protocol 3", error.Message);
            Assert.Contains("this silo speaks bridge protocol 2", error.Message);
        }
        finally
        {
            await cluster.StopAndDisposeAsync();
        }
    }

    [Fact]
    public async Task A_bridge_of_a_newer_minor_version_serves()
    {
        var cluster = await StartAsync("2.7");
        try
        {
            var client = new DSPexClient(cluster.Client);
            Assert.Equal("\"pong\"", await client.ExecuteRawAsync("ping", options: Other));
        }
        finally
        {
            await cluster.StopAndDisposeAsync();
        }
    }
}

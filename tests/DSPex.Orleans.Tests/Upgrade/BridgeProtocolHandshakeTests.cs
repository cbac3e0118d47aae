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
public sealed class BridgeProtocolHandshakeTests
{
    private static Task<TestCluster> StartAsync(string reportedVersion) => TestClusters.StartAsync(1, new Dictionary<string, string>
    {
        ["Size"] = "1",
        ["AdapterModules:2"] = "dspex_other_protocol_adapter",
        ["Environment:DSPEX_TEST_REPORTED_PROTOCOL"] = reportedVersion,
        ["QueueTimeout"] = "00:00:01",
        ["SpillToOtherSilos"] = "false",
    });

    [Fact]
    public async Task A_bridge_of_another_major_version_fails_its_workers_start_naming_both_versions()
    {
        var cluster = await StartAsync("2");
        try
        {
            var client = new DSPexClient(cluster.Client);
            await Eventually.HoldsAsync(() => cluster.PrimaryPool().GetStatsAsync(), s => s.WorkerDetails.All(w => w.Pid == 0), "no worker is live");

            var error = await Assert.ThrowsAsync<WorkerStartFailedException>(() => client.ExecuteRawAsync("ping"));
            Assert.Contains("speaks bridge protocol 2", error.Message);
            Assert.Contains("this silo speaks bridge protocol 1", error.Message);
        }
        finally
        {
            await cluster.StopAndDisposeAsync();
        }
    }

    [Fact]
    public async Task A_bridge_of_a_newer_minor_version_serves()
    {
        var cluster = await StartAsync("1.7");
        try
        {
            var client = new DSPexClient(cluster.Client);
            Assert.Equal("\"pong\"", await client.ExecuteRawAsync("ping"));
        }
        finally
        {
            await cluster.StopAndDisposeAsync();
        }
    }
}

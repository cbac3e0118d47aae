using DSPex.Orleans.Client;
using DSPex.Orleans.Client.Errors;
using DSPex.Orleans.Tests.Infrastructure;
using Orleans.TestingHost;

namespace DSPex.Orleans.Tests.Robustness;

/// <summary>
/// A pool whose workers cannot start says so (WorkerStartFailed), rather than that the queue timed out. The pool is a
/// named one: a silo whose default pool cannot start does not start at all (Lifecycle/CoHostingStartTests).
/// </summary>
[Trait("Category", "Cluster")]
public sealed class NoWorkerTests : IAsyncLifetime
{
    private TestCluster _cluster = null!;

    public async Task InitializeAsync()
    {
        _cluster = await TestClusters.StartAsync(1, new Dictionary<string, string> { ["Size"] = "1" }, settings: new Dictionary<string, string>
        {
            ["DSPex:Pools:broken:Size"] = "1",
            ["DSPex:Pools:broken:AdapterModules:0"] = "dspex_no_such_adapter_module",
            ["DSPex:Pools:broken:QueueTimeout"] = "00:00:01",
            ["DSPex:Pools:broken:SpillToOtherSilos"] = "false",
        });
    }

    public async Task DisposeAsync()
    {
        await _cluster.StopAndDisposeAsync();
    }

    [Fact]
    public async Task A_request_to_a_pool_whose_workers_fail_to_start_gets_worker_start_failed()
    {
        var client = new DSPexClient(_cluster.Client);
        await Eventually.HoldsAsync(() => client.GetClusterStatsAsync(), s => s.Pools.Any(p => p.Pool == "broken" && p.StartFailure is not null), "the pool reports its start failure");

        var error = await Assert.ThrowsAsync<WorkerStartFailedException>(() => client.ExecuteRawAsync("ping", options: new ExecuteOptions { Pool = "broken" }));
        Assert.Contains("fail to start", error.Message);
        Assert.DoesNotContain("\n", error.Message);
    }
}

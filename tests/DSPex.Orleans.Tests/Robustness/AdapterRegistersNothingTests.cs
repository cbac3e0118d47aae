using System.Diagnostics.CodeAnalysis;
using DSPex.Orleans.Client;
using DSPex.Orleans.Client.Errors;
using DSPex.Orleans.Contracts;
using DSPex.Orleans.Tests.Infrastructure;
using Orleans.TestingHost;

namespace DSPex.Orleans.Tests.Robustness;

/// <summary>
/// A pool whose adapter module imports but registers no command and no program type does not start: its workers
/// refuse (the bridge's fatal frame names the module), and the pool's start failure says so, rather than a pool that
/// starts and answers UnknownCommand for everything it was meant to serve. A named pool here: it fails alone. A call
/// to it is answered WorkerStartFailed at once, not after its queue timeout, while the pool keeps retrying.
/// </summary>
[Trait("Category", "Cluster")]
[SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification =
    "Disposed in IAsyncLifetime.DisposeAsync, xunit's end of a test class or fixture, which the rule does not know.")]
[Collection(TestSuite.SideBySide.AdapterRegistersNothing)]
public sealed class AdapterRegistersNothingTests : IAsyncLifetime
{
    private readonly TemporaryDirectory _folder = new();
    private TestCluster _cluster = null!;

    public async Task InitializeAsync()
    {
        var adapters = Path.Combine(_folder.Path, "adapters");
        Directory.CreateDirectory(Path.Combine(adapters, "empty_pool_adapter"));
        await File.WriteAllTextAsync(Path.Combine(adapters, "empty_pool_adapter", "empty_pool_adapter.py"), "import dspex\n@dspex.command('empty.cmd')\ndef cmd(args): return 1\n");
        _cluster = await TestClusters.StartAsync(1, settings: new Dictionary<string, string>
        {
            ["DSPex:Pools:empty:Size"] = "1",
            ["DSPex:Pools:empty:AdapterModules:0"] = "empty_pool_adapter",
            ["DSPex:Pools:empty:AdapterPaths:0"] = adapters,
            ["DSPex:Pools:empty:StopGracePeriod"] = "00:00:02",
            // Far past the test's hang guard: a call that waited for a worker (the queue timeout, or a retry that never
            // succeeds) instead of being answered with the start error fails the test.
            ["DSPex:Pools:empty:QueueTimeout"] = "00:10:00",
        });
    }

    public async Task DisposeAsync()
    {
        await _cluster.StopAndDisposeAsync();
        _folder.Dispose();
    }

    [Fact]
    public async Task The_pool_fails_to_start_naming_the_module_and_the_default_pool_serves_on()
    {
        var client = new DSPexClient(_cluster.Client);
        var empty = await Eventually.HoldsAsync(
            async () => (await client.GetClusterStatsAsync()).Pools.Single(p => p.Pool == "empty"),
            p => p.StartFailure is not null, "the empty pool reports its start failure");

        Assert.Equal(0, empty.Workers);
        Assert.Contains("adapter module 'empty_pool_adapter' registers no command or program type", empty.StartFailure, StringComparison.Ordinal);
        // Answered at once while no worker can start (the supervisor's retries go on in the background); on a
        // loaded machine at most after one more start attempt. Two minutes is a hang guard, not a bound on time.
        var error = await Assert.ThrowsAsync<WorkerStartFailedException>(
            () => client.ExecuteRawAsync("ping", options: new ExecuteOptions { Pool = "empty" }).WaitAsync(TimeSpan.FromMinutes(2)));
        Assert.Contains("empty_pool_adapter", error.Message, StringComparison.Ordinal);
        Assert.Equal("\"pong\"", await client.ExecuteRawAsync("ping"));
    }
}

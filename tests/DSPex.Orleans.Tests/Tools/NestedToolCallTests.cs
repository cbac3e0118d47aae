using System.Text.Json;
using DSPex.Orleans.Client;
using DSPex.Orleans.Tests.Infrastructure;

namespace DSPex.Orleans.Tests.Tools;

/// <summary>
/// A tool that calls the cluster again (ExecuteAsync) while its request holds a worker: on 2 silos of one worker each
/// with no queue, it runs on the other silo's free worker, and fails typed (PoolSaturated) at once when that worker is
/// busy too; it never waits on the worker its own request holds.
/// </summary>
[Trait("Category", "Cluster")]
public sealed class NestedToolCallTests : IAsyncLifetime
{
    private readonly TestTools _tools = new();
    private global::Orleans.TestingHost.TestCluster _cluster = null!;
    private DSPexClient _client = null!;

    public async Task InitializeAsync()
    {
        _cluster = await TestClusters.StartAsync(2, pool: new Dictionary<string, string>
        {
            ["AdapterModules:2"] = "dspex_tool_test_adapter",
            ["Size"] = "1",
            ["MaxQueueLength"] = "0",
        });
        _client = new DSPexClient(_cluster.Client, tools: _tools.Build());
        _tools.Client = _client;
    }

    public async Task DisposeAsync() => await _cluster.StopAndDisposeAsync();

    [Fact]
    public async Task ANestedCallRunsOnAFreeWorkerAndFailsTypedWhenNoneIsFree()
    {
        Assert.Contains("inner", await _client.ExecuteRawAsync("tool_call", """{"tool":"nested","args":{"text":"inner"}}"""));

        using var stopSleeping = new CancellationTokenSource();
        var sleeper = _client.ExecuteRawAsync("sleep", """{"seconds":600}""", cancellationToken: stopSleeping.Token);
        await Eventually.HoldsAsync(() => _client.GetClusterStatsAsync(), s => s.Pools.Sum(p => p.Busy) == 1, "one worker busy sleeping");

        using var answer = JsonDocument.Parse(await _client.ExecuteRawAsync("tool_call_catching", """{"tool":"nested","args":{"text":"inner"}}"""));
        var error = answer.RootElement.GetProperty("error");
        Assert.Equal("ToolFailed", error.GetProperty("kind").GetString());
        Assert.Equal(nameof(Client.Errors.PoolSaturatedException), error.GetProperty("type").GetString());

        await stopSleeping.CancelAsync();
        await Assert.ThrowsAnyAsync<Exception>(() => sleeper);
        await Eventually.HoldsAsync(() => _client.GetClusterStatsAsync(), s => s.Pools.Sum(p => p.Busy) == 0, "every worker free");
    }
}

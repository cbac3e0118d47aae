using System.Net;
using DSPex.Orleans.Client;
using DSPex.Orleans.Client.Errors;
using DSPex.Orleans.Tests.Infrastructure;

namespace DSPex.Orleans.Tests.NamedPools;

/// <summary>
/// The real silo executable with a named pool that cannot start: the silo starts, its default pool serves, and
/// /readyz answers 200 "Degraded" naming the failed pool and why (a failed default pool leaves it not ready).
/// </summary>
[Trait("Category", "Process")]
[Collection(TestSuite.SideBySide.PoolReadiness)]
public sealed class PoolReadinessTests
{
    [Fact]
    public async Task A_named_pool_that_fails_to_start_leaves_the_silo_serving_and_readiness_names_it()
    {
        using var state = new TemporaryDirectory();
        var httpPort = FreePorts.Next();
        var missing = Path.Combine(state.Path, "no-such-python");
        var settings = new Dictionary<string, string>
        {
            ["DSPex:Silo:HttpPort"] = httpPort.ToString(),
            ["DSPex:Pools:llm:Size"] = "1",
            ["DSPex:Pools:llm:PythonExecutable"] = missing,
            ["DSPex:Pools:tools:Size"] = "1",
            ["DSPex:Pools:tools:AdapterModules:0"] = "dspex_test_adapter",
            ["DSPex:Pools:tools:AdapterPaths:0"] = TestClusters.TestAdapterPath,
        };
        await using var silo = RealSiloProcess.Start(RealSiloSettings.Fresh(state.Path) with { Extra = settings });
        await silo.Warm;

        using var http = new HttpClient();
        // /readyz answers "starting" until the silo has started and its health loop's first probe call answered.
        var (status, body) = await Eventually.HoldsAsync(() => ReadyAsync(http, httpPort),
            answer => answer.Body is not null && !answer.Body.Contains("starting", StringComparison.Ordinal), "the silo's /readyz past starting");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.StartsWith("Degraded:", body);
        Assert.Contains($"pool llm failed to start: Python executable '{missing}' could not be started", body);
        Assert.Contains("pool default: 2/2 workers", body);
        Assert.Contains("pool tools: 1/1 workers", body);

        var (host, client) = await silo.ConnectAsync();
        using var _ = host;
        Assert.Equal("\"pong\"", await client.ExecuteRawAsync("ping"));
        Assert.Equal("\"pong\"", await client.ExecuteRawAsync("ping", options: new ExecuteOptions { Pool = "tools" }));
        var failed = await Assert.ThrowsAsync<WorkerStartFailedException>(() => client.ExecuteRawAsync("ping", options: new ExecuteOptions { Pool = "llm" }));
        Assert.Contains("pool llm", failed.Message);
    }

    private static async Task<(HttpStatusCode Status, string? Body)> ReadyAsync(HttpClient http, int port)
    {
        try
        {
            using var ready = await http.GetAsync($"http://127.0.0.1:{port}/readyz");
            return (ready.StatusCode, await ready.Content.ReadAsStringAsync());
        }
        catch (HttpRequestException)
        {
            return (default, null);
        }
    }
}

using System.Text.Json;
using DSPex.Orleans.Client;
using DSPex.Orleans.Tests.Infrastructure;
using DSPex.Orleans.Tools;
using Orleans.TestingHost;

namespace DSPex.Orleans.Tests.Tools;

/// <summary>
/// Client tools that take longer than the silo's probe of the client (5 s here): the probe is answered while they run,
/// and the calls of one request run concurrently. Before the tool host's methods interleaved, the client ran its
/// observer's calls one at a time, so the probe waited behind the tool and the call failed ToolUnavailable ("no answer
/// to a probe") with the client alive, and parallel calls queued behind each other into the same failure (issue 20).
/// No timing threshold: a call fails only if a probe goes unanswered, which is what the old behaviour did.
/// </summary>
[Trait("Category", "Cluster")]
public sealed class LongClientToolTests(LongClientToolCluster fixture) : IClassFixture<LongClientToolCluster>
{
    private static readonly TimeSpan ToolTime = 2 * LongClientToolCluster.ProbeTimeout;
    private static readonly ExecuteOptions Roomy = new() { Timeout = TimeSpan.FromSeconds(90) };

    [Fact]
    public async Task AToolLongerThanTheProbeTimeoutSucceeds()
    {
        var reply = await fixture.Client.ExecuteRawAsync("tool_call", Call("wait", ToolTime), Roomy);
        Assert.Equal("\"waited\"", reply);
    }

    [Fact]
    public async Task TenParallelCallsOfOneRequestAllSucceed()
    {
        using var outcomes = JsonDocument.Parse(await fixture.Client.ExecuteRawAsync("tool_call_parallel", Parallel(10, "wait", ToolTime), Roomy));
        Assert.All(outcomes.RootElement.EnumerateArray(), o => Assert.Equal("waited", o.GetProperty("result").GetString()));
        Assert.Equal(10, outcomes.RootElement.GetArrayLength());
    }

    [Fact]
    public async Task FourParallelLongCallsAllSucceed()
    {
        using var outcomes = JsonDocument.Parse(await fixture.Client.ExecuteRawAsync("tool_call_parallel", Parallel(4, "wait", 2 * ToolTime), Roomy));
        Assert.Equal(4, outcomes.RootElement.GetArrayLength());
        Assert.All(outcomes.RootElement.EnumerateArray(), o => Assert.Equal("waited", o.GetProperty("result").GetString()));
    }

    private static string Call(string tool, TimeSpan wait) => JsonSerializer.Serialize(new { tool, args = new { ms = (int)wait.TotalMilliseconds } });

    private static string Parallel(int n, string tool, TimeSpan wait) =>
        JsonSerializer.Serialize(new { n, tool, args = new { ms = (int)wait.TotalMilliseconds } });
}

public sealed record WaitArgs(int Ms);

/// <summary>One silo with the tool test adapter and a quick probe of the client (every 250 ms, 5 s to answer).</summary>
public sealed class LongClientToolCluster : IAsyncLifetime
{
    /// <summary>
    /// Not 2 s as it was: a probe of this live client must not go unanswered, and on a loaded 2-core machine the
    /// in-process cluster and client can be held up for seconds (thread pool, GC). The tools take longer, the point.
    /// </summary>
    public static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(5);

    public TestCluster Cluster { get; private set; } = null!;

    public DSPexClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Cluster = await TestClusters.StartAsync(1,
            pool: new Dictionary<string, string> { ["AdapterModules:2"] = "dspex_tool_test_adapter" },
            settings: new Dictionary<string, string>
            {
                ["DSPex:Tools:ClientProbeInterval"] = "00:00:00.250",
                ["DSPex:Tools:ClientProbeTimeout"] = ProbeTimeout.ToString("c", System.Globalization.CultureInfo.InvariantCulture),
            });
        Client = new DSPexClient(Cluster.Client, tools: new DSPexToolSet()
            .Add<WaitArgs, string>("wait", "Awaits args.ms milliseconds, as a tool calling a slow service does", async (args, cancellationToken) =>
            {
                await Task.Delay(args.Ms, cancellationToken);
                return "waited";
            }));
    }

    public async Task DisposeAsync() => await Cluster.StopAndDisposeAsync();
}

using System.Text.Json;
using DSPex.Orleans.Client;
using DSPex.Orleans.Client.Errors;
using DSPex.Orleans.Contracts;
using DSPex.Orleans.Tests.Infrastructure;
using DSPex.Orleans.Tools;
using Orleans.TestingHost;

namespace DSPex.Orleans.Tests.Tools;

/// <summary>
/// One real worker flooded from both sides at once: threads of one request calling a tool with a 1 MB name that does
/// not exist (the caller offers no tools: the silo's reader answers each itself), a hundred threads of another calling a
/// client tool with 200 KB args that answers with as much (more than the 64 tool calls a worker may have in flight:
/// the reader answers the rest TooManyToolCalls), a third whose big tool calls are cut by its deadline (cancels), and
/// the health loop's heartbeats throughout. Every request ends by its deadline with a result or a typed error, the
/// worker answers a ping after, and it is the same process (nothing killed, nothing restarted).
/// On main this wedged the silo (issue 20): the reader thread blocked writing answers into the worker's full stdin
/// while the worker's reader waited for its writer lock, held by a thread blocked writing into the silo's full pipe.
/// </summary>
[Trait("Category", "Cluster")]
public sealed class ToolFloodTests(ToolFloodCluster fixture) : IClassFixture<ToolFloodCluster>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan CutDeadline = TimeSpan.FromSeconds(8);

    // An upper bound for "it did not hang": the deadline, then room for a loaded machine to deliver the answer.
    private static readonly TimeSpan Slack = TimeSpan.FromSeconds(45);

    [Fact]
    public async Task EveryRequestEndsByItsDeadlineAndTheWorkerLivesOn()
    {
        var before = await WorkerAsync();

        var unknownNames = fixture.ClientWithoutTools.ExecuteRawAsync("tool_flood",
            """{"threads":16,"name_chars":1048576,"blob_chars":16}""", new ExecuteOptions { Timeout = Deadline });
        var bigCalls = fixture.Client.ExecuteRawAsync("tool_flood",
            """{"threads":100,"tool":"blob","blob_chars":204800}""", new ExecuteOptions { Timeout = Deadline });
        var cut = fixture.Client.ExecuteRawAsync("tool_flood",
            """{"threads":100,"tool":"hold","blob_chars":204800}""", new ExecuteOptions { Timeout = CutDeadline });

        using (var counts = JsonDocument.Parse(await unknownNames.WaitAsync(Deadline + Slack)))
        {
            Assert.Equal(16, Sum(counts, "UnknownTool", "TooManyToolCalls"));
        }

        using (var counts = JsonDocument.Parse(await bigCalls.WaitAsync(Deadline + Slack)))
        {
            Assert.Equal(100, Sum(counts, "ok", "TooManyToolCalls"));
            Assert.True(Sum(counts, "ok") > 0, $"no call of the client tool succeeded: {counts.RootElement}");
        }

        await Assert.ThrowsAsync<DeadlineExceededException>(() => cut.WaitAsync(CutDeadline + Slack));

        Assert.Equal("\"pong\"", await fixture.Client.ExecuteRawAsync("ping", "{}", new ExecuteOptions { Timeout = Slack }));
        var after = await WorkerAsync();
        Assert.Equal(before.Pid, after.Pid);
        var stats = (await fixture.Client.GetClusterStatsAsync()).Pools.Single(p => p.Pool == PoolNames.Default);
        Assert.Equal(0, stats.HungWorkersKilled);
        Assert.Equal(0, stats.Restarts);
    }

    [Fact]
    public async Task AnUnknownToolsHugeNameIsNotEchoedBackWhole()
    {
        // The silo's reader answers a request that may call no tools itself; the name in its answer is Python's choice.
        var name = new string('n', 1 << 20) + "\u202E";
        using var answer = JsonDocument.Parse(await fixture.ClientWithoutTools.ExecuteRawAsync("tool_call_catching",
            JsonSerializer.Serialize(new { tool = name, args = new { } }), new ExecuteOptions { Timeout = Deadline }));
        var error = answer.RootElement.GetProperty("error");
        Assert.Equal("UnknownTool", error.GetProperty("kind").GetString());
        var message = error.GetProperty("message").GetString()!;
        Assert.True(message.Length < 1000, $"the answer echoed {message.Length} characters");
        Assert.DoesNotContain('\u202E', message);
    }

    private async Task<WorkerInfo> WorkerAsync() =>
        (await fixture.Client.GetClusterStatsAsync()).Pools.Single(p => p.Pool == PoolNames.Default).WorkerDetails.Single();

    private static int Sum(JsonDocument counts, params string[] kinds) =>
        kinds.Sum(k => counts.RootElement.TryGetProperty(k, out var n) ? n.GetInt32() : 0);
}

public sealed record BlobArgs(string Blob);

/// <summary>One silo, one worker running three requests at once, no silo tools; a client offering two big tools.</summary>
public sealed class ToolFloodCluster : IAsyncLifetime
{
    public TestCluster Cluster { get; private set; } = null!;

    public DSPexClient Client { get; private set; } = null!;

    public DSPexClient ClientWithoutTools { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Cluster = await TestClusters.StartAsync(1, pool: new Dictionary<string, string>
        {
            ["AdapterModules:2"] = "dspex_tool_test_adapter",
            ["Size"] = "1",
            ["ConcurrencyPerWorker"] = "4",
            // After its deadline's cancel, the cut request's hundred threads must end and it must answer within this
            // grace or its worker is killed: on a loaded machine (GIL, 200 KB args) the 2 s default is not a bound of
            // a wedge, and a kill here would end the other requests with it.
            ["CancelGracePeriod"] = "00:00:30",
        });
        Client = new DSPexClient(Cluster.Client, tools: new DSPexToolSet()
            .Add<BlobArgs, string>("blob", "Answers with what it was given", (args, _) => Task.FromResult(args.Blob))
            .Add<BlobArgs, string>("hold", "Holds until its request ends", async (args, cancellationToken) =>
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
                return args.Blob;
            }));
        ClientWithoutTools = new DSPexClient(Cluster.Client);
    }

    public async Task DisposeAsync() => await Cluster.StopAndDisposeAsync();
}

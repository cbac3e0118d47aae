using System.Text.Json;
using DSPex.Orleans.Client.Errors;
using DSPex.Orleans.Contracts;
using DSPex.Orleans.Tests.Infrastructure;

namespace DSPex.Orleans.Tests.Sessions;

/// <summary>
/// Streams in a session (issue 23 item 4) on the shared 2-silo cluster: a stream reads the session's variables, runs
/// on the worker that holds its programs (the pid its calls ran on, wherever the client's gateway is), is counted in
/// the session, and leaves the session usable beside and after it.
/// </summary>
[Trait("Category", "Cluster")]
[Collection(TwoSiloCollection.Name)]
public sealed class SessionStreamTests(TwoSiloClusterFixture fixture)
{
    private static readonly object ClassifierSpec = new
    {
        type = "keyword_classifier",
        labels = new Dictionary<string, string[]> { ["positive"] = ["great", "good"], ["negative"] = ["bad", "awful"] },
        @default = "neutral",
    };

    private Client.DSPexSession NewSession(SessionOptions? options = null) =>
        fixture.Client.Session($"stream-{Guid.NewGuid():N}", options);

    [Fact]
    public async Task A_session_stream_reads_the_session_variables_and_runs_on_the_worker_of_its_calls()
    {
        var session = NewSession();
        await session.SetVariableAsync("greeting", "hello");
        var pid = (await session.ExecuteResponseAsync("pid")).WorkerPid;

        // Several streams, so the client's router keys (and with them the gateway that relays) vary between them.
        for (var stream = 0; stream < 4; stream++)
        {
            var items = await ReadAllAsync(session.StreamAsync<JsonElement>("session_items", new { count = 3 }));

            Assert.Equal([0, 1, 2], items.Select(i => i.GetProperty("i").GetInt32()));
            Assert.All(items, item =>
            {
                Assert.Equal("hello", item.GetProperty("value").GetString());
                Assert.Equal(session.SessionId, item.GetProperty("session").GetString());
                Assert.Equal(pid, item.GetProperty("pid").GetInt32());
            });
        }

        // The session is intact and counted the streams; its calls still run on the same worker.
        var info = await session.GetInfoAsync();
        Assert.Equal(4L, info!.Counters["streams"]);
        Assert.Equal(pid, info.LastWorkerPid);
        Assert.Equal(pid, (await session.ExecuteResponseAsync("pid")).WorkerPid);
    }

    [Fact]
    public async Task A_session_stream_runs_on_the_worker_that_holds_the_session_program()
    {
        var session = NewSession();
        await session.CreateProgramAsync("sentiment", ClassifierSpec);
        var built = await session.ExecuteProgramAsync<JsonElement>("sentiment", new { text = "a great day" });

        var items = await ReadAllAsync(session.StreamAsync<JsonElement>("session_items", new { count = 2 }));

        Assert.All(items, item => Assert.Equal(built.GetProperty("pid").GetInt32(), item.GetProperty("pid").GetInt32()));
        // The program was not rebuilt elsewhere: its next call is its second on the same build.
        var next = await session.ExecuteProgramAsync<JsonElement>("sentiment", new { text = "an awful day" });
        Assert.Equal(2, next.GetProperty("calls_on_this_build").GetInt32());
    }

    [Fact]
    public async Task A_first_stream_creates_the_session_and_a_stream_naming_another_pool_is_refused()
    {
        var session = NewSession();
        var first = await ReadAllAsync(session.StreamAsync<JsonElement>("session_items", new { count = 1 }));
        Assert.Equal(JsonValueKind.Null, Assert.Single(first).GetProperty("value").ValueKind);
        Assert.NotNull(await session.GetInfoAsync());

        var refused = await Assert.ThrowsAsync<InvalidArgumentsException>(
            () => ReadAllAsync(session.StreamRawAsync("session_items", "{}", new Client.ExecuteOptions { Pool = "elsewhere" })));
        Assert.Contains("a stream in it cannot name pool elsewhere", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Breaking_out_of_a_session_stream_leaves_the_session_usable()
    {
        var session = NewSession();
        await session.SetVariableAsync("greeting", "hi");

        await foreach (var item in session.StreamAsync<JsonElement>("session_items", new { count = 1000 }))
        {
            Assert.Equal(0, item.GetProperty("i").GetInt32());
            break;
        }

        // The stream ended when the reader left; the session goes on with its variables.
        Assert.Equal("hi", (await ReadAllAsync(session.StreamAsync<JsonElement>("session_items", new { count = 1 })))[0].GetProperty("value").GetString());
        Assert.Equal("hi", await session.GetVariableAsync<string>("greeting"));
        Assert.Equal(2L, (await session.GetInfoAsync())!.Counters["streams"]);
    }

    private static async Task<List<T>> ReadAllAsync<T>(IAsyncEnumerable<T> items)
    {
        var read = new List<T>();
        await foreach (var item in items)
        {
            read.Add(item);
        }

        return read;
    }
}

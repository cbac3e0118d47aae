using System.Text.Json;
using DSPex.Orleans.Client;
using DSPex.Orleans.Client.Errors;
using DSPex.Orleans.Contracts;
using DSPex.Orleans.Tests.Infrastructure;
using DSPex.Orleans.Tools;

namespace DSPex.Orleans.Tests.Tools;

/// <summary>
/// Python calling .NET tools mid-request on a 2-silo cluster with real workers: a client's tools (through its
/// observer) and a silo's, answers and errors as Python sees them, the request's deadline and cancellation reaching
/// the tool's token, and tool calls from stateless calls, sessions, programs and streams.
/// </summary>
[Trait("Category", "Cluster")]
public sealed partial class ToolCallTests(ToolClusterFixture fixture) : IClassFixture<ToolClusterFixture>
{
    private DSPexClient Client => fixture.Client;

    private static string Call(string tool, object? args) => JsonSerializer.Serialize(new { tool, args });

    [Fact]
    public async Task ClientAndSiloToolsAnswerPython()
    {
        using var person = JsonDocument.Parse(await Client.ExecuteRawAsync("tool_call", Call("lookup", new { id = 7 })));
        Assert.Equal("person-7", person.RootElement.GetProperty("name").GetString());
        Assert.Equal("5", await Client.ExecuteRawAsync("tool_call", Call("silo_add", new { a = 2, b = 3 })));
        Assert.Equal("9", await Client.ExecuteRawAsync("tool_call_async", Call("silo_add", new { a = 4, b = 5 })));
    }

    [Fact]
    public async Task ListToolsGivesNamesDescriptionsAndSchemas()
    {
        using var tools = JsonDocument.Parse(await Client.ExecuteRawAsync("tool_list"));
        var byName = tools.RootElement.EnumerateArray().ToDictionary(t => t.GetProperty("name").GetString()!);
        Assert.Equal(["blob", "digest", "fail", "lookup", "nested", "silo_add", "silo_reverse", "slow"], byName.Keys.Order());
        var lookup = byName["lookup"];
        Assert.Equal("Finds a person by id", lookup.GetProperty("description").GetString());
        Assert.Equal("object", lookup.GetProperty("schema").GetProperty("type").GetString());
        Assert.Equal("id", lookup.GetProperty("schema").GetProperty("required")[0].GetString());

        // A client without tools sees only the silo's.
        using var siloOnly = JsonDocument.Parse(await fixture.ClientWithoutTools.ExecuteRawAsync("tool_list"));
        Assert.Equal(["silo_add", "silo_reverse"], siloOnly.RootElement.EnumerateArray().Select(t => t.GetProperty("name").GetString()));
    }

    [Fact]
    public async Task AToolsExceptionIsAToolErrorPythonCanHandleOrLetFailTheRequest()
    {
        using var handled = JsonDocument.Parse(await Client.ExecuteRawAsync("tool_call_catching", Call("fail", new { id = 1 })));
        var error = handled.RootElement.GetProperty("error");
        Assert.Equal("ToolFailed", error.GetProperty("kind").GetString());
        Assert.Equal(nameof(InvalidOperationException), error.GetProperty("type").GetString());
        Assert.Equal("the lookup service is down", error.GetProperty("message").GetString());

        var unhandled = await Assert.ThrowsAsync<PythonException>(() => Client.ExecuteRawAsync("tool_call", Call("fail", new { id = 1 })));
        Assert.Equal("ToolError", unhandled.PythonType);
        Assert.Contains("the lookup service is down", unhandled.Message);
    }

    [Fact]
    public async Task AnUnknownToolOrBadArgumentsAreClearErrors()
    {
        var unknown = await ErrorOfAsync(Client, "no_such_tool", new { });
        Assert.Equal("UnknownTool", unknown.GetProperty("kind").GetString());
        Assert.Contains("blob, digest, fail, lookup, nested, slow, silo_add, silo_reverse", unknown.GetProperty("message").GetString());

        Assert.Equal("InvalidArguments", (await ErrorOfAsync(Client, "lookup", new { id = "seven" })).GetProperty("kind").GetString());
        Assert.Equal("InvalidArguments", (await ErrorOfAsync(Client, "lookup", new { })).GetProperty("kind").GetString());
        var extra = await ErrorOfAsync(Client, "lookup", new { id = 1, admin = true });
        Assert.Equal("InvalidArguments", extra.GetProperty("kind").GetString());
        Assert.Contains("admin", extra.GetProperty("message").GetString());
        Assert.Equal("InvalidArguments", (await ErrorOfAsync(Client, "silo_add", new[] { 1, 2 })).GetProperty("kind").GetString());

        // Another client's tools are not this request's: the client without tools reaches only the silo's.
        var notMine = await ErrorOfAsync(fixture.ClientWithoutTools, "lookup", new { id = 1 });
        Assert.Equal("UnknownTool", notMine.GetProperty("kind").GetString());
        Assert.EndsWith("may call: silo_add, silo_reverse", notMine.GetProperty("message").GetString());
    }

    [Fact]
    public async Task TheRequestsDeadlineEndsTheToolCallAndFreesTheWorker()
    {
        fixture.Tools.Reset();
        var call = Client.ExecuteRawAsync("tool_call", Call("slow", new { label = "x" }), new ExecuteOptions { Timeout = TimeSpan.FromSeconds(3) });
        await fixture.Tools.SlowStarted.Task.WaitAsync(TestBounds.Exit);
        await Assert.ThrowsAsync<DeadlineExceededException>(() => call);
        await fixture.Tools.SlowCancelled.Task.WaitAsync(TestBounds.Exit);
        await fixture.AllWorkersFreeAsync();
    }

    [Fact]
    public async Task CancellingTheRequestEndsTheToolCallAndFreesTheWorker()
    {
        fixture.Tools.Reset();
        using var cancel = new CancellationTokenSource();
        var call = Client.ExecuteRawAsync("tool_call", Call("slow", new { label = "x" }), cancellationToken: cancel.Token);
        await fixture.Tools.SlowStarted.Task.WaitAsync(TestBounds.Exit);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<Exception>(() => call);
        await fixture.Tools.SlowCancelled.Task.WaitAsync(TestBounds.Exit);
        await fixture.AllWorkersFreeAsync();
    }

    [Fact]
    public async Task SessionCallsProgramsAndStreamsCallTools()
    {
        var session = Client.Session($"tools-{Guid.NewGuid():N}");
        Assert.Contains("person-3", await session.ExecuteRawAsync("tool_call", Call("lookup", new { id = 3 })));
        await session.CreateProgramAsync("p", new { type = "tool_program", tool = "silo_add" });
        Assert.Equal("11", await session.ExecuteProgramRawAsync("p", """{"a":5,"b":6}"""));
        await session.CreateProgramAsync("q", new { type = "tool_program", tool = "lookup" });
        Assert.Contains("person-4", await session.ExecuteProgramRawAsync("q", """{"id":4}"""));

        var items = new List<string>();
        await foreach (var item in Client.StreamRawAsync("tool_stream", """{"n":3,"tool":"silo_add"}"""))
        {
            items.Add(item);
        }

        Assert.Equal(["1", "2", "3"], items);
    }

    [Fact]
    public async Task AToolFrameNamingARequestNotInFlightReplacesOnlyThatWorker()
    {
        await Assert.ThrowsAsync<MalformedFrameException>(() => Client.ExecuteRawAsync("tool_call_forged_request", "{}"));
        await fixture.AllWorkersFreeAsync();
        Assert.Contains("person-1", await Client.ExecuteRawAsync("tool_call", Call("lookup", new { id = 1 })));
    }

    [Fact]
    public async Task ToolArgsNestedPastTheProtocolDepthAreInvalidArgumentsForThatCallOnly()
    {
        // Issue 20: 65 levels were a malformed frame, and the worker was SIGKILLed with every request on it.
        using var answer = JsonDocument.Parse(await Client.ExecuteRawAsync("tool_call_deep_args", """{"tool":"lookup","depth":65}"""));
        var error = answer.RootElement.GetProperty("error");
        Assert.Equal("InvalidArguments", error.GetProperty("kind").GetString());
        Assert.Contains("nest 65 levels deep, past the protocol limit of 64", error.GetProperty("message").GetString());
        Assert.True(answer.RootElement.GetProperty("went_on").GetBoolean());

        // 64 levels reach the tool, whose own argument check refuses them.
        using var deepest = JsonDocument.Parse(await Client.ExecuteRawAsync("tool_call_deep_args", """{"tool":"lookup","depth":64}"""));
        Assert.DoesNotContain("protocol limit", deepest.RootElement.GetProperty("error").GetProperty("message").GetString());
        await fixture.AllWorkersFreeAsync();
    }

    [Fact]
    public async Task AToolResultPythonCannotReadIsResultNotSerializableForThatCall()
    {
        // Issue 20: a 5000-digit integer reached Python, whose json refused it; the call then waited for its deadline.
        var tools = new DSPexToolSet().Add<JsonElement, JsonElement>("huge_int", "Answers a 5000-digit integer",
            (_, _) => Task.FromResult(JsonDocument.Parse(new string('7', 5000)).RootElement.Clone()));
        var client = new DSPexClient(fixture.Cluster.Client, tools: tools);
        using var answer = JsonDocument.Parse(await client.ExecuteRawAsync("tool_call_catching", Call("huge_int", new { }),
            new ExecuteOptions { Timeout = TimeSpan.FromMinutes(2) }));
        var error = answer.RootElement.GetProperty("error");
        Assert.Equal("ResultNotSerializable", error.GetProperty("kind").GetString());
        Assert.Contains("5000 digits", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task ATaskCallingAToolAfterItsRequestWasAnsweredGetsARuntimeErrorAndTheWorkerServesOn()
    {
        // Issue 20: the late call named a request the silo had answered; the worker was SIGKILLed, failing another
        // caller's request on it with MalformedFrame.
        using var state = new TemporaryDirectory();
        var outcomeFile = Path.Combine(state.Path, "outcome.json");
        var pid = int.Parse(await Client.ExecuteRawAsync("tool_call_after_answer", JsonSerializer.Serialize(new { outcome_file = outcomeFile })));

        await Eventually.HoldsAsync(() => File.Exists(outcomeFile), "the late task wrote what its tool call raised");
        using var outcome = JsonDocument.Parse(await File.ReadAllTextAsync(outcomeFile));
        Assert.Equal("RuntimeError", outcome.RootElement.GetProperty("raised").GetString());
        Assert.Contains("has already been answered", outcome.RootElement.GetProperty("message").GetString());
        var stats = await Client.GetClusterStatsAsync();
        Assert.Contains(pid, stats.Pools.SelectMany(p => p.WorkerDetails).Select(w => w.Pid));
        await fixture.AllWorkersFreeAsync();
    }

    [Fact]
    public async Task AToolCallRacingItsRequestsAnswerIsATypedErrorNotAReplacedWorker()
    {
        // The bridge refuses a late call once it marks the request answered; one that raced that mark reaches the
        // silo naming a request it sent and has answered: exactly the protocol, so only that tool call fails.
        for (var attempt = 0; attempt < 10; attempt++)
        {
            using var answer = JsonDocument.Parse(await Client.ExecuteRawAsync("tool_call_naming_answered_request", "{}"));
            if (answer.RootElement.TryGetProperty("skipped", out _))
            {
                continue; // the first request on its worker: there is no earlier one to name
            }

            Assert.Equal("person-2", answer.RootElement.GetProperty("result").GetProperty("name").GetString());
            await fixture.AllWorkersFreeAsync();
            return;
        }

        Assert.Fail("every attempt was the first request on its worker");
    }

    private static async Task<JsonElement> ErrorOfAsync(DSPexClient client, string tool, object args)
    {
        using var answer = JsonDocument.Parse(await client.ExecuteRawAsync("tool_call_catching", Call(tool, args)));
        return answer.RootElement.GetProperty("error").Clone();
    }
}

using System.Text.Json;
using DSPex.Orleans.Client.Errors;
using DSPex.Orleans.Contracts;
using DSPex.Orleans.Tests.Infrastructure;

namespace DSPex.Orleans.Tests.Sessions;

/// <summary>Session behaviour on the shared 2-silo cluster (in-memory session storage).</summary>
[Trait("Category", "Cluster")]
[Collection(TwoSiloCollection.Name)]
public sealed class SessionTests(TwoSiloClusterFixture fixture)
{
    private static readonly object ClassifierSpec = new
    {
        type = "keyword_classifier",
        labels = new Dictionary<string, string[]> { ["positive"] = ["great", "good"], ["negative"] = ["bad", "awful"] },
        @default = "neutral",
    };

    private Client.DSPexSession NewSession(SessionOptions? options = null) =>
        fixture.Client.Session($"test-{Guid.NewGuid():N}", options);

    [Fact]
    public async Task Variables_set_by_python_are_stored_in_the_session_and_read_back_by_the_next_call()
    {
        var session = NewSession();
        var first = await session.ExecuteAsync<JsonElement>("remember", new { name = "color", value = "blue" });
        Assert.Equal(JsonValueKind.Null, first.GetProperty("previous").ValueKind);
        Assert.Equal(session.SessionId, first.GetProperty("session").GetString());

        var second = await session.ExecuteAsync<JsonElement>("remember", new { name = "color", value = "green" });
        Assert.Equal("blue", second.GetProperty("previous").GetString());
        Assert.Equal("green", await session.GetVariableAsync<string>("color"));

        await session.ExecuteRawAsync("forget", """{"name":"color"}""");
        Assert.Null(await session.GetVariableAsync<string>("color"));
    }

    [Fact]
    public async Task A_variable_holding_an_integer_python_cannot_read_is_refused_when_set_and_calls_keep_working()
    {
        // Issue 20: a 5000-digit integer was stored, and every later call of the session then failed InvalidArguments
        // (Python's json refuses integers past 4300 digits) until the variable was deleted.
        var session = NewSession();
        await session.SetVariableAsync("fits", JsonDocument.Parse(new string('9', 4300)).RootElement);
        var error = await Assert.ThrowsAsync<InvalidArgumentsException>(
            () => session.SetVariableAsync("huge", JsonDocument.Parse("-" + new string('7', 5000)).RootElement));
        Assert.Contains("'huge'", error.Message);
        Assert.Contains("5000 digits", error.Message);

        Assert.Equal(["fits"], (await session.GetInfoAsync())!.VariableNames);
        Assert.Equal("pong", await session.ExecuteAsync<string>("ping"));
        // A float of as many digits is read by Python: it is not refused.
        await session.SetVariableAsync("long-float", JsonDocument.Parse(new string('7', 5000) + ".5").RootElement);
        Assert.Equal("pong", await session.ExecuteAsync<string>("ping"));
    }

    [Fact]
    public async Task Variables_set_from_dotnet_are_visible_to_python()
    {
        var session = NewSession();
        await session.SetVariableAsync("limit", new[] { 1, 2, 3 });
        var result = await session.ExecuteAsync<JsonElement>("remember", new { name = "limit", value = 0 });
        Assert.Equal("[1,2,3]", result.GetProperty("previous").GetRawText());
    }

    [Fact]
    public async Task Concurrent_first_calls_create_one_session()
    {
        var session = NewSession();
        var infos = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => session.CreateAsync()));
        Assert.Single(infos.Select(i => i.CreatedAt).Distinct());

        var calls = await Task.WhenAll(Enumerable.Range(0, 16).Select(i =>
            session.ExecuteAsync<JsonElement>("remember", new { name = $"v{i}", value = i })));
        Assert.All(calls, c => Assert.Equal(session.SessionId, c.GetProperty("session").GetString()));
        var info = await session.GetInfoAsync();
        Assert.Equal(16, info!.Counters["calls"]);
        Assert.Equal(16, info.VariableNames.Count);
        Assert.Equal(infos[0].CreatedAt, info.CreatedAt);
    }

    [Fact]
    public async Task A_program_is_built_once_per_worker_and_keeps_its_state_between_calls()
    {
        var session = NewSession();
        Assert.Equal(1, await session.CreateProgramAsync("sentiment", ClassifierSpec));

        var first = await session.ExecuteProgramAsync<ClassifierResult>("sentiment", new { text = "a great day" });
        var second = await session.ExecuteProgramAsync<ClassifierResult>("sentiment", new { text = "an awful day" });

        Assert.Equal("positive", first.Label);
        Assert.Equal("negative", second.Label);
        Assert.Equal(first.Pid, second.Pid);
        Assert.Equal(1, first.CallsOnThisBuild);
        Assert.Equal(2, second.CallsOnThisBuild);
        Assert.Equal(["positive", "negative"], (await session.GetVariableAsync<string[]>("history"))!);
    }

    [Fact]
    public async Task A_new_revision_of_a_program_is_rebuilt_from_its_new_spec()
    {
        var session = NewSession();
        await session.CreateProgramAsync("greet", new { type = "template", template = "Hello {name}" });
        Assert.Equal("Hello Ada", (await session.ExecuteProgramAsync<JsonElement>("greet", new { name = "Ada" })).GetProperty("text").GetString());

        Assert.Equal(2, await session.CreateProgramAsync("greet", new { type = "template", template = "Bye {name}" }));
        var after = await session.ExecuteProgramAsync<JsonElement>("greet", new { name = "Ada" });
        Assert.Equal("Bye Ada", after.GetProperty("text").GetString());
        Assert.Equal(1, after.GetProperty("calls_on_this_build").GetInt32());

        var programs = await session.ListProgramsAsync();
        Assert.Equal(2, Assert.Single(programs).Revision);
        Assert.True(await session.DeleteProgramAsync("greet"));
        await Assert.ThrowsAsync<ProgramNotFoundException>(() => session.ExecuteProgramRawAsync("greet"));
    }

    [Fact]
    public async Task An_idle_pool_keeps_a_session_on_its_worker()
    {
        var session = NewSession();
        var pids = new HashSet<int>();
        for (var i = 0; i < 8; i++)
        {
            pids.Add((await session.ExecuteResponseAsync("pid")).WorkerPid);
        }

        Assert.Single(pids);
        var info = await session.GetInfoAsync();
        Assert.Equal(pids.Single(), info!.LastWorkerPid);
        Assert.False(info.Counters.ContainsKey("moves"));
    }

    [Fact]
    public async Task A_deleted_session_is_gone_and_a_later_call_starts_a_new_one()
    {
        var session = NewSession();
        await session.SetVariableAsync("k", 1);
        await session.DeleteAsync();
        Assert.Null(await session.GetInfoAsync());
        Assert.Equal("{}", await session.GetVariablesJsonAsync());

        await session.ExecuteRawAsync("ping");
        var info = await session.GetInfoAsync();
        Assert.NotNull(info);
        Assert.Empty(info!.VariableNames);
    }

    [Fact]
    public async Task An_expired_session_is_gone_for_every_caller()
    {
        // Not shorter: the session must still be there when the test reads it back, on a loaded machine too.
        var session = NewSession(new SessionOptions(Ttl: TimeSpan.FromSeconds(5)));
        await session.SetVariableAsync("k", "v");
        Assert.NotNull(await session.GetInfoAsync());

        await Eventually.HoldsAsync(session.GetInfoAsync, info => info is null, "the session expired");
        var other = fixture.Client.Session(session.SessionId);
        Assert.Null(await other.GetInfoAsync());
        Assert.Equal("{}", await other.GetVariablesJsonAsync());
    }

    [Fact]
    public async Task Session_variables_cannot_be_set_from_a_stateless_call()
    {
        var error = await Assert.ThrowsAsync<PythonException>(() =>
            fixture.Client.ExecuteRawAsync("remember", """{"name":"x","value":1}"""));
        Assert.Equal("RuntimeError", error.PythonType);
    }

    public sealed record ClassifierResult(string Label, int Pid, [property: System.Text.Json.Serialization.JsonPropertyName("calls_on_this_build")] int CallsOnThisBuild);
}

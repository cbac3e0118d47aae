using System.Text.Json;
using DSPex.Orleans.Client.Errors;
using DSPex.Orleans.Contracts;
using DSPex.Orleans.Tests.Infrastructure;
using static DSPex.Orleans.Tests.Sessions.SmallLimitsClusterFixture;

namespace DSPex.Orleans.Tests.Sessions;

/// <summary>
/// Every session limit refuses with a typed error naming the input, changes nothing, and leaves the session
/// usable: the next ordinary call on it still works.
/// </summary>
[Trait("Category", "Cluster")]
[Collection(SmallLimitsCollection.Name)]
public sealed class SessionLimitTests(SmallLimitsClusterFixture fixture)
{
    private Client.DSPexSession NewSession(SessionOptions? options = null) =>
        fixture.Client.Session($"limits-{Guid.NewGuid():N}", options);

    [Fact]
    public async Task A_variable_over_its_size_limit_is_refused_and_the_session_keeps_working()
    {
        var session = NewSession();
        await session.SetVariableAsync("small", "ok");

        var error = await Assert.ThrowsAsync<SessionLimitExceededException>(() => session.SetVariableAsync("big", new string('x', MaxVariableBytes)));
        Assert.Contains("'big'", error.Message);
        Assert.Contains("MaxVariableBytes", error.Message);

        Assert.Equal(["small"], (await session.GetInfoAsync())!.VariableNames);
        await session.SetVariableAsync("next", 1);
        Assert.Equal(1, await session.GetVariableAsync<int>("next"));
    }

    [Fact]
    public async Task Variables_over_the_session_total_are_refused_and_every_later_call_still_works()
    {
        var session = NewSession();
        var value = new string('v', MaxVariableBytes - 100);
        var stored = 0;
        SessionLimitExceededException? refused = null;
        for (var i = 0; i < 10 && refused is null; i++)
        {
            try
            {
                await session.SetVariableAsync($"v{i}", value);
                stored++;
            }
            catch (SessionLimitExceededException e)
            {
                refused = e;
            }
        }

        Assert.NotNull(refused);
        Assert.Contains("MaxVariablesTotalBytes", refused!.Message);
        Assert.InRange(stored, 1, MaxVariablesTotalBytes / value.Length);
        Assert.Equal(stored, (await session.GetInfoAsync())!.VariableNames.Count);

        // The session at its fullest still travels to Python in a frame: calls keep working.
        var reply = await session.ExecuteAsync<JsonElement>("remember", new { name = "v0", value = "short" });
        Assert.Equal(value, reply.GetProperty("previous").GetString());
    }

    [Fact]
    public async Task More_variables_than_the_limit_are_refused()
    {
        var session = NewSession();
        for (var i = 0; i < MaxVariables; i++)
        {
            await session.SetVariableAsync($"n{i}", i);
        }

        var error = await Assert.ThrowsAsync<SessionLimitExceededException>(() => session.SetVariableAsync("one-too-many", 0));
        Assert.Contains("MaxVariables", error.Message);
        await session.SetVariableAsync("n0", 100);
        Assert.Equal(100, await session.GetVariableAsync<int>("n0"));
        Assert.Equal(MaxVariables, (await session.GetInfoAsync())!.VariableNames.Count);
    }

    [Fact]
    public async Task A_python_variable_change_over_a_limit_fails_that_call_and_leaves_the_stored_variables()
    {
        var session = NewSession();
        await session.SetVariableAsync("color", "blue");

        var error = await Assert.ThrowsAsync<SessionLimitExceededException>(() =>
            session.ExecuteRawAsync("remember", JsonSerializer.Serialize(new { name = "color", value = new string('x', MaxVariableBytes) })));
        Assert.Contains("not stored", error.Message);
        Assert.Contains("'color'", error.Message);

        Assert.Equal("blue", await session.GetVariableAsync<string>("color"));
        var next = await session.ExecuteAsync<JsonElement>("remember", new { name = "color", value = "green" });
        Assert.Equal("blue", next.GetProperty("previous").GetString());
        Assert.Equal("green", await session.GetVariableAsync<string>("color"));
    }

    [Fact]
    public async Task Two_thousand_programs_stop_at_the_limit_and_existing_programs_still_update()
    {
        var session = NewSession();
        var created = 0;
        var refused = 0;
        for (var i = 0; i < 2000; i++)
        {
            try
            {
                await session.CreateProgramAsync($"p{i}", new { type = "template", template = "Hi {name}" });
                created++;
            }
            catch (SessionLimitExceededException e)
            {
                Assert.Contains("MaxPrograms", e.Message);
                refused++;
            }
        }

        Assert.Equal(MaxPrograms, created);
        Assert.Equal(2000 - MaxPrograms, refused);
        Assert.Equal(MaxPrograms, (await session.ListProgramsAsync()).Count);
        Assert.Equal(2, await session.CreateProgramAsync("p0", new { type = "template", template = "Bye {name}" }));
        var text = (await session.ExecuteProgramAsync<JsonElement>("p0", new { name = "Ada" })).GetProperty("text").GetString();
        Assert.Equal("Bye Ada", text);
    }

    [Fact]
    public async Task A_program_spec_over_its_size_limit_or_not_json_is_refused_with_its_kind()
    {
        var session = NewSession();
        var big = await Assert.ThrowsAsync<SessionLimitExceededException>(() =>
            session.CreateProgramAsync("huge", new { type = "template", template = new string('t', MaxProgramSpecBytes) }));
        Assert.Contains("'huge'", big.Message);
        Assert.Contains("MaxProgramSpecBytes", big.Message);

        var malformed = await Assert.ThrowsAsync<InvalidArgumentsException>(() => session.CreateProgramAsync("broken", "{not json"));
        Assert.Contains("'broken'", malformed.Message);

        Assert.Empty(await session.ListProgramsAsync());
        Assert.Equal(1, await session.CreateProgramAsync("fine", new { type = "template", template = "Hi {name}" }));
    }

    [Fact]
    public async Task A_ttl_out_of_bounds_is_refused_before_the_session_is_stored()
    {
        var tooLong = NewSession(new SessionOptions(Ttl: MaxTtl + TimeSpan.FromSeconds(1)));
        var over = await Assert.ThrowsAsync<SessionLimitExceededException>(tooLong.CreateAsync);
        Assert.Contains("MaxTtl", over.Message);
        await Assert.ThrowsAsync<SessionLimitExceededException>(() => tooLong.ExecuteRawAsync("pid"));
        await Assert.ThrowsAsync<SessionLimitExceededException>(() => tooLong.SetVariableAsync("k", 1));
        Assert.Null(await tooLong.GetInfoAsync());

        // The library refuses a zero TTL before anything is sent; the grain refuses it too, for callers without the library.
        Assert.Throws<InvalidArgumentsException>(() => fixture.Client.Session(tooLong.SessionId, new SessionOptions(Ttl: TimeSpan.Zero)));
        var raw = await Assert.ThrowsAsync<DSPexRequestException>(() =>
            fixture.Cluster.Client.GetGrain<DSPex.Orleans.Grains.ISessionGrain>(tooLong.SessionId).CreateAsync(new SessionOptions(Ttl: TimeSpan.Zero)));
        Assert.Equal(DSPexErrorKind.InvalidArguments, raw.Kind);
        Assert.Null(await tooLong.GetInfoAsync());

        var fine = fixture.Client.Session(tooLong.SessionId, new SessionOptions(Ttl: MaxTtl));
        Assert.Equal(MaxTtl, (await fine.CreateAsync()).Ttl);
    }

    [Fact]
    public async Task Too_much_metadata_is_refused()
    {
        var metadata = Enumerable.Range(0, MaxMetadataEntries + 1).ToDictionary(i => $"k{i}", i => "v");
        var session = NewSession(new SessionOptions(Metadata: metadata));
        var error = await Assert.ThrowsAsync<SessionLimitExceededException>(session.CreateAsync);
        Assert.Contains("MaxMetadataEntries", error.Message);
        Assert.Null(await session.GetInfoAsync());
    }

    [Theory]
    [InlineData("{hash-tag}")]
    [InlineData("has space")]
    [InlineData("slash/inside")]
    public async Task A_session_id_outside_the_allowed_characters_is_refused(string sessionId)
    {
        var session = fixture.Client.Session(sessionId);
        var error = await Assert.ThrowsAsync<InvalidArgumentsException>(session.CreateAsync);
        Assert.Contains("session id", error.Message);
        await Assert.ThrowsAsync<InvalidArgumentsException>(() => session.ExecuteRawAsync("pid"));
        await Assert.ThrowsAsync<InvalidArgumentsException>(() => session.SetVariableAsync("k", 1));
        Assert.Null(await session.GetInfoAsync());
        Assert.False(await session.TouchAsync());
    }

    [Fact]
    public async Task A_session_id_over_the_length_limit_is_refused()
    {
        var session = fixture.Client.Session(new string('a', 129));
        await Assert.ThrowsAsync<InvalidArgumentsException>(session.CreateAsync);
        Assert.NotNull(await fixture.Client.Session(new string('a', 128)).CreateAsync());
    }
}

/// <summary>
/// A session stores only what the frame writer will send: a value Python would read differently (past the protocol's
/// depth, a lone surrogate, a spec that is not an object) is refused when stored, not on every later call.
/// </summary>
[Trait("Category", "Cluster")]
[Collection(SmallLimitsCollection.Name)]
public sealed class SessionStoredJsonTests(SmallLimitsClusterFixture fixture)
{
    private static string Nested(int depth) => new string('[', depth) + new string(']', depth);

    [Fact]
    public async Task A_variable_that_would_nest_past_the_protocol_depth_is_refused_and_calls_keep_working()
    {
        var session = fixture.Client.Session($"stored-{Guid.NewGuid():N}");
        // The variables object around it is one level: a value of depth 63 is the deepest a frame carries.
        await session.SetVariableAsync("deepest", JsonDocument.Parse(Nested(ProtocolDepth - 1)).RootElement);
        var error = await Assert.ThrowsAsync<InvalidArgumentsException>(
            () => session.SetVariableAsync("too-deep", JsonDocument.Parse(Nested(ProtocolDepth)).RootElement));
        Assert.Contains("'too-deep'", error.Message);
        Assert.Contains("nests deeper", error.Message);

        Assert.Equal(["deepest"], (await session.GetInfoAsync())!.VariableNames);
        Assert.Equal("pong", await session.ExecuteAsync<string>("ping"));
    }

    [Theory]
    [InlineData("[1, 2]", "JSON object")]
    [InlineData("{\"type\": \"template\", \"template\": \"\\ud800\"}", "surrogate")]
    public async Task A_program_spec_a_worker_could_not_read_is_refused_when_stored(string spec, string expected)
    {
        var session = fixture.Client.Session($"stored-{Guid.NewGuid():N}");
        var error = await Assert.ThrowsAsync<InvalidArgumentsException>(() => session.CreateProgramAsync("p", spec));
        Assert.Contains(expected, error.Message);
        Assert.Empty(await session.ListProgramsAsync());
    }

    private const int ProtocolDepth = 64;
}

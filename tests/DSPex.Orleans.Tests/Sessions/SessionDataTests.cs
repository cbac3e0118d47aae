using System.Text.Json;
using DSPex.Orleans.Client;
using DSPex.Orleans.Client.Errors;
using DSPex.Orleans.Contracts;
using DSPex.Orleans.Grains;
using DSPex.Orleans.Tests.Infrastructure;

namespace DSPex.Orleans.Tests.Sessions;

/// <summary>
/// Binary parts in session calls (issue 23): <see cref="DSPexSession.ExecuteDataAsync"/> carries bytes and arrays raw
/// to a real Python worker with the session's variables, on the worker that holds the session's programs, and stores
/// the variables the command sets; a repeat of a call whose result had parts is told it ran (the parts are not kept
/// for a repeat) instead of getting JSON whose parts are missing; bad input is refused before the session is touched.
/// </summary>
[Trait("Category", "Cluster")]
[Collection(TwoSiloCollection.Name)]
public sealed class SessionDataTests(TwoSiloClusterFixture fixture)
{
    private static readonly object ClassifierSpec = new
    {
        type = "keyword_classifier",
        labels = new Dictionary<string, string[]> { ["positive"] = ["great"] },
        @default = "neutral",
    };

    private sealed record Scaled(BinaryData Data, DSPexArray Vector, int Pid, string Session);

    private DSPexSession NewSession() => fixture.Client.Session($"data-{Guid.NewGuid():N}");

    [Fact]
    public async Task A_data_call_in_a_session_reads_its_variables_runs_on_the_worker_of_its_programs_and_stores_what_it_sets()
    {
        var session = NewSession();
        await session.SetVariableAsync("scale", 3);
        await session.CreateProgramAsync("sentiment", ClassifierSpec);
        var programPid = (await session.ExecuteProgramAsync<JsonElement>("sentiment", new { text = "great" })).GetProperty("pid").GetInt32();
        var bytes = new byte[200 * 1024];
        new Random(23).NextBytes(bytes);

        // Several calls, so the client's router keys (and with them the gateway the call enters by) vary between them.
        for (var call = 0; call < 4; call++)
        {
            var result = await session.ExecuteDataAsync("session_bytes", new { Data = new BinaryData(bytes), Vector = DSPexArray.From([1f, -2.5f, 4f]) });

            Assert.Equal(2, result.Parts.Count);
            var scaled = result.Read<Scaled>()!;
            Assert.Equal(bytes.Reverse(), scaled.Data.ToArray());
            Assert.Equal([3f, -7.5f, 12f], scaled.Vector.ToArray<float>());
            Assert.Equal(session.SessionId, scaled.Session);
            Assert.Equal(programPid, scaled.Pid);
        }

        Assert.Equal(bytes.Length, await session.GetVariableAsync<int>("last_length"));
        var info = await session.GetInfoAsync();
        Assert.Equal(programPid, info!.LastWorkerPid);
        Assert.True(info.Counters["calls"] >= 4, $"the data calls are counted: {info.Counters["calls"]}");
        // The program was not rebuilt elsewhere: its next call is its second on the same build.
        Assert.Equal(2, (await session.ExecuteProgramAsync<JsonElement>("sentiment", new { text = "great" })).GetProperty("calls_on_this_build").GetInt32());
    }

    [Fact]
    public async Task A_repeat_of_a_call_whose_result_had_parts_is_told_it_ran_not_given_json_without_its_parts()
    {
        var session = NewSession();
        var router = fixture.Cluster.Client.GetGrain<IRouterGrain>(0);
        var request = new ExecuteRequest("session_bytes", """{"data":{"$bytes":0},"vector":{"$array":1,"dtype":"float32","byteorder":"little","shape":[1]}}""",
            CallId: Guid.NewGuid())
        {
            ArgParts = [new byte[] { 1, 2, 3 }, BitConverter.GetBytes(2f)],
        };

        var first = await router.ExecuteInSessionAsync(session.SessionId, request, session.Options);
        Assert.Null(first.Error);
        Assert.Equal([3, 2, 1], first.ResultParts![0].ToArray());

        // Sent again with the same call id, as the client library does after a lost silo: answered from the record.
        var repeat = await router.ExecuteInSessionAsync(session.SessionId, request, session.Options);
        Assert.Equal(DSPexErrorKind.SiloUnavailable, repeat.Error?.Kind);
        Assert.True(repeat.Error!.Recorded);
        Assert.Equal(CallOutcome.OutcomeUnknown, repeat.Error.Outcome);
        Assert.Contains("binary parts", repeat.Error.Message, StringComparison.Ordinal);
        Assert.Equal(first.WorkerPid, repeat.WorkerPid);
        Assert.Equal(1L, (await session.GetInfoAsync())!.Counters["calls"]);
    }

    [Fact]
    public async Task Bad_data_calls_in_a_session_are_typed_errors_and_create_nothing()
    {
        var session = NewSession();

        var over = await Assert.ThrowsAsync<FrameTooLargeException>(
            () => session.ExecuteDataAsync("session_bytes", new { Data = new BinaryData(new byte[fixture.Client.MaxRequestBytes]) }));
        Assert.Contains(fixture.Client.MaxRequestBytes.ToString(), over.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<InvalidArgumentsException>(() => session.ExecuteDataAsync("bad command!", new { Data = new BinaryData([1]) }));
        await Assert.ThrowsAsync<InvalidArgumentsException>(() => session.ExecuteDataAsync("session_bytes", new { Self = new Loop() }));

        // A raw caller past the client's checks: the gateway refuses parts over the frame limit before the session runs.
        var router = fixture.Cluster.Client.GetGrain<IRouterGrain>(0);
        var refused = await router.ExecuteInSessionAsync(session.SessionId,
            new ExecuteRequest("session_bytes", """{"data":{"$bytes":0}}""", CallId: Guid.NewGuid()) { ArgParts = [new byte[RequestLimits.DefaultMaxRequestBytes]] },
            session.Options);
        Assert.Equal(DSPexErrorKind.FrameTooLarge, refused.Error?.Kind);
        Assert.Null(await session.GetInfoAsync());

        // Parts whose references lie reach Python, which names the part; the session records the failed call.
        var lying = await router.ExecuteInSessionAsync(session.SessionId,
            new ExecuteRequest("session_bytes", """{"data":{"$bytes":5}}""", CallId: Guid.NewGuid()) { ArgParts = [new byte[] { 1 }] }, session.Options);
        Assert.Equal(DSPexErrorKind.InvalidArguments, lying.Error?.Kind);
        Assert.Contains("part 5", lying.Error!.Message, StringComparison.Ordinal);
        Assert.Equal(0, fixture.Client.CallsInFlight);
    }

    private sealed class Loop
    {
        public Loop Self => this;
    }
}

using System.Text.Json;
using DSPex.Orleans.Contracts;
using DSPex.Orleans.Grains;
using DSPex.Orleans.Tests.Infrastructure;

namespace DSPex.Orleans.Tests.Sessions;

/// <summary>
/// A session call sent again with the same call id (what the client does after a silo loss) is answered from the
/// session's record, not run again: commands and programs, through the gateway's router as the client sends them,
/// also after the session left memory (the record is stored with it).
/// </summary>
[Trait("Category", "Cluster")]
[Collection(TwoSiloCollection.Name)]
public sealed class AtMostOnceTests(TwoSiloClusterFixture fixture)
{
    private IRouterGrain Router => fixture.Cluster.Client.GetGrain<IRouterGrain>(0);

    [Fact]
    public async Task A_command_sent_again_with_its_call_id_runs_once_and_gets_the_first_answer()
    {
        using var state = new TemporaryDirectory();
        var runs = Path.Combine(state.Path, "runs.txt");
        var sessionId = $"amo-{Guid.NewGuid():N}";
        var request = new ExecuteRequest("count_run", JsonSerializer.Serialize(new { path = runs }), CallId: Guid.NewGuid());

        var first = await Router.ExecuteInSessionAsync(sessionId, request, new SessionOptions());
        var again = await Router.ExecuteInSessionAsync(sessionId, request, new SessionOptions());
        // Out of memory and back: the record is read with the session.
        await DeactivateAsync(sessionId);
        var afterReactivation = await Router.ExecuteInSessionAsync(sessionId, request, new SessionOptions());

        Assert.Null(first.Error);
        Assert.Equal(first.ResultJson, again.ResultJson);
        Assert.Equal(first.ResultJson, afterReactivation.ResultJson);
        Assert.Single(File.ReadAllLines(runs));

        // Another call id is another call.
        var other = await Router.ExecuteInSessionAsync(sessionId, request with { CallId = Guid.NewGuid() }, new SessionOptions());
        Assert.Equal(2, File.ReadAllLines(runs).Length);
        Assert.NotEqual(first.ResultJson, other.ResultJson);
    }

    [Fact]
    public async Task A_program_call_sent_again_with_its_call_id_runs_once()
    {
        var sessionId = $"amo-{Guid.NewGuid():N}";
        await fixture.Client.Session(sessionId).CreateProgramAsync("p", new { type = "sleeper" });
        var callId = Guid.NewGuid();
        const string args = """{"seconds":0}""";

        var first = await Router.ExecuteProgramAsync(sessionId, "p", args, null, callId, new SessionOptions());
        var again = await Router.ExecuteProgramAsync(sessionId, "p", args, null, callId, new SessionOptions());
        var next = await Router.ExecuteProgramAsync(sessionId, "p", args, null, Guid.NewGuid(), new SessionOptions());

        Assert.Null(first.Error);
        Assert.Equal(1, Calls(first));
        Assert.Equal(1, Calls(again));
        // The program object counts its own calls: the repeat did not reach it.
        Assert.Equal(2, Calls(next));
    }

    [Fact]
    public async Task Idempotent_calls_are_not_recorded_and_run_again()
    {
        using var state = new TemporaryDirectory();
        var runs = Path.Combine(state.Path, "runs.txt");
        var sessionId = $"amo-{Guid.NewGuid():N}";
        var request = new ExecuteRequest("count_run", JsonSerializer.Serialize(new { path = runs }), Idempotent: true, CallId: Guid.NewGuid());

        await Router.ExecuteInSessionAsync(sessionId, request, new SessionOptions());
        await Router.ExecuteInSessionAsync(sessionId, request, new SessionOptions());

        Assert.Equal(2, File.ReadAllLines(runs).Length);
    }

    private static int Calls(ExecuteResponse response)
    {
        using var result = JsonDocument.Parse(response.ResultJson!);
        return result.RootElement.GetProperty("calls").GetInt32();
    }

    private async Task DeactivateAsync(string sessionId)
    {
        var management = fixture.Cluster.Client.GetGrain<global::Orleans.Runtime.IManagementGrain>(0);
        await management.ForceActivationCollection(TimeSpan.Zero);
        await Eventually.HoldsAsync(async () => (await management.GetDetailedGrainStatistics()).Any(s => s.GrainId.Key.ToString() == sessionId),
            present => !present, "the session grain left memory");
    }
}

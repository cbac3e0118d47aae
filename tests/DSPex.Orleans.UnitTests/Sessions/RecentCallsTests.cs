using System.Text;
using System.Text.Json.Nodes;
using DSPex.Orleans.Contracts;
using DSPex.Orleans.Sessions;
using DSPex.Orleans.Sessions.Storage;

namespace DSPex.Orleans.UnitTests.Sessions;

/// <summary>
/// A session's record of its recent calls: what a repeat of a call id is answered with, its bounds, and its place in
/// the stored session (an optional field, so a session stored by the previous release reads here and the other way).
/// </summary>
[Trait("Category", "Unit")]
public sealed class RecentCallsTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 6, 8, 0, 0, TimeSpan.Zero);

    private static SessionState Live() => SessionState.Start(Now, TimeSpan.FromMinutes(30), AffinityMode.Hint, null, owner: null);

    [Fact]
    public void A_repeat_of_a_finished_call_gets_its_answer_marked_nowhere_as_a_loss()
    {
        var session = Live();
        var id = Guid.NewGuid();
        session.BeginCall(id, Now);
        session.CompleteCall(id, ExecuteResponse.Success("""{"token":"t1"}""", "S|0", 42), Now);

        var answer = session.FindCall(id)!.Answer("s");

        Assert.Equal("""{"token":"t1"}""", answer.ResultJson);
        Assert.Equal(("S|0", 42), (answer.WorkerId, answer.WorkerPid));
    }

    [Fact]
    public void A_repeat_of_a_failed_call_gets_the_same_typed_error_as_recorded()
    {
        var session = Live();
        var id = Guid.NewGuid();
        session.BeginCall(id, Now);
        session.CompleteCall(id, ExecuteResponse.Failure(new ExecuteError(DSPexErrorKind.PythonException, "boom", "ValueError", "tb")), Now);

        var error = session.FindCall(id)!.Answer("s").Error!;

        Assert.Equal((DSPexErrorKind.PythonException, "boom", "ValueError", "tb", true), (error.Kind, error.Message, error.PythonType, error.Traceback, error.Recorded));
    }

    [Fact]
    public void A_call_still_running_in_a_stored_session_was_lost_with_its_silo_and_is_not_run_again()
    {
        var session = Live();
        var id = Guid.NewGuid();
        session.BeginCall(id, Now);
        var stored = RoundTrip(session);

        var error = stored.FindCall(id)!.Answer("s").Error!;

        Assert.Equal((DSPexErrorKind.SiloUnavailable, CallOutcome.OutcomeUnknown, true), (error.Kind, error.Outcome, error.Recorded));
    }

    [Fact]
    public void A_result_over_the_kept_size_is_not_stored_but_the_call_still_counts_as_run()
    {
        var session = Live();
        var id = Guid.NewGuid();
        session.BeginCall(id, Now);
        session.CompleteCall(id, ExecuteResponse.Success(new string('1', RecentCallBounds.MaxResultChars + 1), "S|0", 1), Now);

        var answer = RoundTrip(session).FindCall(id)!.Answer("s");

        Assert.Null(answer.ResultJson);
        Assert.True(answer.Error!.Recorded);
        Assert.Contains("ran", answer.Error.Message);
    }

    [Fact]
    public void Records_are_bounded_by_count_and_age_oldest_first()
    {
        var session = Live();
        var ids = Enumerable.Range(0, RecentCallBounds.MaxCount + 5).Select(_ => Guid.NewGuid()).ToList();
        foreach (var id in ids)
        {
            session.BeginCall(id, Now);
            session.CompleteCall(id, ExecuteResponse.Success("1", "S|0", 1), Now);
        }

        Assert.Equal(RecentCallBounds.MaxCount, session.RecentCalls!.Count);
        Assert.Null(session.FindCall(ids[0]));
        Assert.NotNull(session.FindCall(ids[^1]));

        var later = Guid.NewGuid();
        session.BeginCall(later, Now + RecentCallBounds.MaxAge + TimeSpan.FromSeconds(1));
        Assert.Equal([later], session.RecentCalls.Select(c => c.Id));
    }

    [Fact]
    public void Records_are_bounded_by_total_size()
    {
        var session = Live();
        var result = new string('1', RecentCallBounds.MaxResultChars - 10);
        for (var i = 0; i < RecentCallBounds.MaxCount; i++)
        {
            var id = Guid.NewGuid();
            session.BeginCall(id, Now);
            session.CompleteCall(id, ExecuteResponse.Success(result, "S|0", 1), Now);
        }

        Assert.True(session.RecentCalls!.Sum(c => c.Size) <= RecentCallBounds.MaxTotalChars);
    }

    [Fact]
    public void A_session_stored_without_records_reads_and_one_with_them_is_read_by_a_reader_that_knows_nothing_of_them()
    {
        // Stored by the previous release: no recent_calls field.
        var previous = Serializer.Deserialize<SessionState>(new BinaryData(Encoding.UTF8.GetBytes(
            """{"schema":1,"exists":true,"created":"2026-12-06T08:00:00+00:00","accessed":"2026-12-06T08:00:00+00:00","ttl_seconds":60,"affinity":"Hint","variables":{"x":1}}""")))!;
        Assert.Null(previous.RecentCalls);
        Assert.Null(previous.FindCall(Guid.NewGuid()));

        // Stored by this release: the field is optional, the schema version stays, so the previous release (which
        // refuses newer schemas and ignores fields it does not know) reads it.
        var session = Live();
        session.BeginCall(Guid.NewGuid(), Now);
        var json = JsonNode.Parse(Serializer.Serialize(session).ToString())!.AsObject();
        Assert.Equal(SessionState.CurrentSchemaVersion, (int)json["schema"]!);
        Assert.Equal(1, SessionState.CurrentSchemaVersion);
        Assert.True(json.ContainsKey("recent_calls"));

        // A session without records writes no field at all (what the previous release wrote).
        Assert.DoesNotContain("recent_calls", Serializer.Serialize(Live()).ToString(), StringComparison.Ordinal);
    }

    private static readonly SessionStorageSerializer Serializer = new();

    private static SessionState RoundTrip(SessionState session) => Serializer.Deserialize<SessionState>(Serializer.Serialize(session))!;
}

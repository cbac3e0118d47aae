using System.Text.Json;
using DSPex.Orleans.Configuration;
using DSPex.Orleans.Contracts;
using DSPex.Orleans.Sessions;

namespace DSPex.Orleans.UnitTests.Sessions;

[Trait("Category", "Unit")]
public sealed class SessionStateChangeTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);

    private static SessionState Live() => SessionState.Start(Now, TimeSpan.FromMinutes(5), AffinityMode.Hint, new Dictionary<string, string> { ["team"] = "a" }, owner: null);

    [Fact]
    public void A_first_call_counts_and_pins_the_worker_without_a_move()
    {
        var session = Live();

        session.RecordRun(ExecuteResponse.Success("1", "S|0", 100), SessionCounters.Calls);

        Assert.Equal(1, session.Counters[SessionCounters.Calls]);
        Assert.False(session.Counters.ContainsKey(SessionCounters.Moves));
        Assert.Equal(new WorkerAffinity("S|0", 100, AffinityMode.Hint), session.WorkerAffinity());
    }

    [Fact]
    public void A_call_on_another_worker_or_a_new_process_of_the_same_worker_is_a_move()
    {
        var session = Live();
        session.RecordRun(ExecuteResponse.Success("1", "S|0", 100), SessionCounters.Calls);

        session.RecordRun(ExecuteResponse.Success("1", "S|1", 200), SessionCounters.ProgramCalls);
        session.RecordRun(ExecuteResponse.Success("1", "S|1", 201), SessionCounters.ProgramCalls);
        session.RecordRun(ExecuteResponse.Success("1", "S|1", 201), SessionCounters.ProgramCalls);

        Assert.Equal(2, session.Counters[SessionCounters.Moves]);
        Assert.Equal(3, session.Counters[SessionCounters.ProgramCalls]);
        Assert.Equal(("S|1", 201), (session.LastWorkerId, session.LastWorkerPid));
    }

    [Fact]
    public void A_python_error_ran_on_its_worker_but_a_pool_error_did_not()
    {
        var session = Live();
        session.RecordRun(ExecuteResponse.Success("1", "S|0", 100), SessionCounters.Calls);

        session.RecordRun(ExecuteResponse.Failure(DSPexErrorKind.PythonException, "boom", "S|1", 200), SessionCounters.Calls);
        session.RecordRun(ExecuteResponse.Failure(DSPexErrorKind.DeadlineExceeded, "late", "S|2", 300), SessionCounters.Calls);

        Assert.Equal(2, session.Counters[SessionCounters.Errors]);
        Assert.Equal(1, session.Counters[SessionCounters.Moves]);
        Assert.Equal("S|1", session.LastWorkerId);
    }

    [Fact]
    public void A_lost_session_worker_is_forgotten_so_the_next_call_runs_anywhere()
    {
        var session = Live();
        session.RecordRun(ExecuteResponse.Success("1", "S|0", 100), SessionCounters.Calls);

        session.RecordRun(ExecuteResponse.Failure(DSPexErrorKind.SessionWorkerUnavailable, "gone"), SessionCounters.Calls);

        Assert.Null(session.WorkerAffinity());
        Assert.Equal(0, session.LastWorkerPid);
    }

    [Fact]
    public void Variable_updates_set_and_delete_and_over_a_limit_change_nothing()
    {
        var limits = new SessionLimits(new DSPexSessionOptions { MaxVariables = 2 });
        var session = Live();
        session.SetVariable("a", JsonDocument.Parse("1").RootElement, limits);

        session.ApplyVariableUpdates("""{"set":{"b":[1,2]},"deleted":["a"]}""", limits);
        Assert.Equal("""{"b":[1,2]}""", session.VariablesJson());

        var refusal = Assert.Throws<DSPexRequestException>(() => session.ApplyVariableUpdates("""{"set":{"c":1,"d":2}}""", limits));
        Assert.Equal(DSPexErrorKind.SessionLimitExceeded, refusal.Kind);
        Assert.Equal("""{"b":[1,2]}""", session.VariablesJson());

        Assert.Equal(DSPexErrorKind.MalformedFrame, Assert.Throws<DSPexRequestException>(() => session.ApplyVariableUpdates("""{"set":[1]}""", limits)).Kind);
    }

    [Fact]
    public void Only_changes_that_must_survive_a_crash_mark_the_session_to_be_written()
    {
        var limits = new SessionLimits(new DSPexSessionOptions());
        var session = Live();
        Assert.True(session.HasUnsavedChanges);
        session.RecordRun(ExecuteResponse.Success("1", "S|0", 100), SessionCounters.Calls);
        session.HasUnsavedChanges = false;

        // Counting a call on the same worker, a value set to what it is, a name deleted that is not there: nothing to write.
        session.RecordRun(ExecuteResponse.Success("1", "S|0", 100), SessionCounters.Calls);
        session.SetVariable("a", JsonDocument.Parse("[1, 2]").RootElement, limits);
        session.HasUnsavedChanges = false;
        session.ApplyVariableUpdates("""{"set":{"a":[1, 2]},"deleted":["missing"]}""", limits);
        Assert.False(session.Remove(session.Programs, "missing"));
        Assert.False(session.HasUnsavedChanges);
        Assert.Equal(2, session.Counters[SessionCounters.Calls]);

        session.ApplyVariableUpdates("""{"set":{"a":[1,3]}}""", limits);
        Assert.True(session.HasUnsavedChanges);
        session.HasUnsavedChanges = false;

        session.RecordRun(ExecuteResponse.Success("1", "S|1", 200), SessionCounters.Calls);
        Assert.True(session.HasUnsavedChanges);
    }

    [Fact]
    public void Setting_a_program_again_raises_its_revision()
    {
        var limits = new SessionLimits(new DSPexSessionOptions());
        var session = Live();
        var spec = JsonDocument.Parse("""{"type":"template"}""").RootElement;

        Assert.Equal(new ProgramInfo("p", 1, Now), session.SetProgram("p", spec, Now, limits));
        Assert.Equal(new ProgramInfo("p", 2, Now.AddSeconds(1)), session.SetProgram("p", spec, Now.AddSeconds(1), limits));
        Assert.Equal(["p"], session.ToInfo("s").Programs.Select(p => p.ProgramId));
    }
}

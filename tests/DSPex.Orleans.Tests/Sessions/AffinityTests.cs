using System.Text.Json;
using DSPex.Orleans.Client;
using DSPex.Orleans.Client.Errors;
using DSPex.Orleans.Contracts;
using DSPex.Orleans.Grains;
using DSPex.Orleans.Tests.Infrastructure;
using Orleans.TestingHost;

namespace DSPex.Orleans.Tests.Sessions;

/// <summary>Affinity modes on one silo with two workers, sessions stored in a real Redis.</summary>
[Trait("Category", "Redis")]
[Collection(TestSuite.SideBySide.Affinity)]
public sealed class AffinityTests(RedisServer redis) : IClassFixture<RedisServer>, IAsyncLifetime
{
    private TestCluster _cluster = null!;
    private DSPexClient _client = null!;
    private IPoolGrain _pool = null!;

    public async Task InitializeAsync()
    {
        _cluster = await TestClusters.StartAsync(1,
            pool: new Dictionary<string, string> { ["QueueTimeout"] = "00:00:30", ["AffinityHintWait"] = "00:00:00.200" },
            sessions: new Dictionary<string, string> { ["RedisConnectionString"] = redis.ConnectionString });
        _client = new DSPexClient(_cluster.Client);
        _pool = _cluster.PrimaryPool();
    }

    public async Task DisposeAsync()
    {
        await _cluster.StopAndDisposeAsync();
    }

    /// <summary>Makes the session's own worker busy with a stateless request pinned to it.</summary>
    private async Task<(Task<ExecuteResponse> Holder, CancellationTokenSource Release)> OccupyAsync(SessionInfo session)
    {
        var release = new CancellationTokenSource();
        var holder = _pool.ExecuteWithAffinityAsync(
            new ExecuteRequest("sleep", """{"seconds":60}"""),
            new WorkerAffinity(session.LastWorkerId!, session.LastWorkerPid, AffinityMode.StrictQueue),
            release.Token).AsTask();
        await Eventually.HoldsAsync(_pool.GetStatsAsync,
            s => s.WorkerDetails.Single(w => w.WorkerId == session.LastWorkerId).InFlight == 1, "the session's worker busy");
        return (holder, release);
    }

    private async Task<SessionInfo> StartSessionAsync(DSPexSession session)
    {
        await session.ExecuteRawAsync("pid");
        return (await session.GetInfoAsync())!;
    }

    [Fact]
    public async Task Strict_fail_fast_answers_worker_busy_while_its_worker_is_taken()
    {
        var session = _client.Session($"ff-{Guid.NewGuid():N}", new SessionOptions(Affinity: AffinityMode.StrictFailFast));
        var info = await StartSessionAsync(session);
        var (holder, release) = await OccupyAsync(info);

        var error = await Assert.ThrowsAsync<WorkerBusyException>(() => session.ExecuteRawAsync("pid"));
        Assert.Equal(info.LastWorkerId, error.WorkerId);

        release.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => holder);
        await Eventually.HoldsAsync(_pool.GetStatsAsync, s => s.Busy == 0, "pool idle");
        Assert.Equal(info.LastWorkerPid, (await session.ExecuteResponseAsync("pid")).WorkerPid);
    }

    [Fact]
    public async Task Strict_queue_waits_for_its_own_worker_even_when_another_is_free()
    {
        var session = _client.Session($"sq-{Guid.NewGuid():N}", new SessionOptions(Affinity: AffinityMode.StrictQueue));
        var info = await StartSessionAsync(session);
        var (holder, release) = await OccupyAsync(info);

        var waiting = session.ExecuteResponseAsync("pid");
        await Eventually.HoldsAsync(_pool.GetStatsAsync, s => s.Busy == 1, "the other worker stays free while the call waits");
        Assert.False(waiting.IsCompleted);

        release.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => holder);
        var response = await waiting;
        Assert.True(response.IsSuccess, response.Error?.Message);
        Assert.Equal(info.LastWorkerPid, response.WorkerPid);
    }

    [Fact]
    public async Task Hint_moves_to_a_free_worker_when_its_own_stays_busy_and_rebuilds_the_program_there()
    {
        var session = _client.Session($"hint-{Guid.NewGuid():N}");
        await session.CreateProgramAsync("greet", new { type = "template", template = "Hi {name}" });
        await session.ExecuteProgramRawAsync("greet", """{"name":"a"}""");
        var info = (await session.GetInfoAsync())!;
        var (holder, release) = await OccupyAsync(info);

        var moved = await session.ExecuteProgramAsync<JsonElement>("greet", new { name = "b" });

        Assert.NotEqual(info.LastWorkerPid, moved.GetProperty("pid").GetInt32());
        Assert.Equal("Hi b", moved.GetProperty("text").GetString());
        Assert.Equal(1, moved.GetProperty("calls_on_this_build").GetInt32());
        Assert.Equal(1, (await session.GetInfoAsync())!.Counters["moves"]);

        release.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => holder);
    }

    [Fact]
    public async Task Killing_the_preferred_worker_moves_the_session_and_its_programs_with_no_state_lost()
    {
        var session = _client.Session($"kill-{Guid.NewGuid():N}");
        await session.CreateProgramAsync("sentiment", new
        {
            type = "keyword_classifier",
            labels = new Dictionary<string, string[]> { ["positive"] = ["good"], ["negative"] = ["bad"] },
        });
        await session.SetVariableAsync("owner", "ada");
        var before = await session.ExecuteProgramAsync<JsonElement>("sentiment", new { text = "good" });
        var preferredPid = before.GetProperty("pid").GetInt32();

        OsProcesses.Kill(preferredPid);
        await Eventually.HoldsAsync(() => !OsProcesses.IsAlive(preferredPid), "the preferred worker is dead");

        // A call racing the crash itself may fail with WorkerCrashed; "the next call" is one after the pool saw it.
        await Eventually.HoldsAsync(_pool.GetStatsAsync, s => s.WorkerDetails.All(w => w.Pid != preferredPid), "the pool saw the worker die");
        var after = await session.ExecuteProgramAsync<JsonElement>("sentiment", new { text = "bad" });

        Assert.NotEqual(preferredPid, after.GetProperty("pid").GetInt32());
        Assert.Equal("negative", after.GetProperty("label").GetString());
        Assert.Equal(1, after.GetProperty("calls_on_this_build").GetInt32());
        Assert.Equal("ada", await session.GetVariableAsync<string>("owner"));
        Assert.Equal(["positive", "negative"], (await session.GetVariableAsync<string[]>("history"))!);
        var info = (await session.GetInfoAsync())!;
        Assert.Equal(2, info.Counters["program_calls"]);
        Assert.Equal(after.GetProperty("pid").GetInt32(), info.LastWorkerPid);
        await Eventually.HoldsAsync(_pool.GetStatsAsync, s => s.Workers == s.Size, "pool back at size");
    }

    [Fact]
    public async Task Strict_fail_fast_reports_a_dead_worker_then_the_next_call_moves()
    {
        var session = _client.Session($"ffdead-{Guid.NewGuid():N}", new SessionOptions(Affinity: AffinityMode.StrictFailFast));
        var info = await StartSessionAsync(session);

        OsProcesses.Kill(info.LastWorkerPid);
        await Eventually.HoldsAsync(() => !OsProcesses.IsAlive(info.LastWorkerPid), "the session's worker is dead");
        await Eventually.HoldsAsync(_pool.GetStatsAsync,
            s => s.WorkerDetails.All(w => w.Pid != info.LastWorkerPid), "the pool saw the worker die");

        await Assert.ThrowsAsync<SessionWorkerUnavailableException>(() => session.ExecuteRawAsync("pid"));
        var moved = await session.ExecuteResponseAsync("pid");
        Assert.True(moved.IsSuccess, moved.Error?.Message);
        Assert.NotEqual(info.LastWorkerPid, moved.WorkerPid);
    }
}

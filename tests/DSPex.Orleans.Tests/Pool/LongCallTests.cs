using System.Text.Json;
using DSPex.Orleans.Client;
using DSPex.Orleans.Client.Calls;
using DSPex.Orleans.Grains;
using DSPex.Orleans.Tests.Infrastructure;
using Orleans.TestingHost;

namespace DSPex.Orleans.Tests.Pool;

/// <summary>
/// A cluster whose Orleans response timeout (4 s) is shorter than the calls it serves. Not shorter: Orleans also times
/// a stream's grain-side enumerator by it (dropped when no next-item call came within one to two response timeouts of
/// its last answer), and at 2 s a loaded machine's stall between two of the client's calls lost a stream in a CI run.
/// </summary>
public sealed class ShortResponseTimeoutCluster : IAsyncLifetime
{
    public static readonly TimeSpan ResponseTimeout = TimeSpan.FromSeconds(4);

    public TestCluster Cluster { get; private set; } = null!;

    public IPoolGrain Pool { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Cluster = await TestClusters.StartAsync(1, responseTimeout: ResponseTimeout);
        Pool = Cluster.PrimaryPool();
    }

    public async Task DisposeAsync() => await Cluster.StopAndDisposeAsync();
}

/// <summary>
/// Deadlines belong to the request, not to Orleans: a call may run longer than Orleans' response timeout, and
/// a call nobody answers ends at the limit its own timeout sets.
/// </summary>
[Trait("Category", "Cluster")]
public sealed class LongCallTests(ShortResponseTimeoutCluster fixture) : IClassFixture<ShortResponseTimeoutCluster>
{
    private static readonly object LongerThanTheResponseTimeout = new { seconds = ShortResponseTimeoutCluster.ResponseTimeout.TotalSeconds * 1.5 };

    private static readonly ExecuteOptions GenerousDeadline = new() { Timeout = TimeSpan.FromMinutes(2) };

    [Fact]
    public async Task A_stateless_call_runs_past_the_orleans_response_timeout()
    {
        var client = new DSPexClient(fixture.Cluster.Client);
        var result = await client.ExecuteAsync("sleep", LongerThanTheResponseTimeout, GenerousDeadline);
        Assert.False(result.GetProperty("cancelled").GetBoolean());
        Assert.Equal(0, client.CallsInFlight);
    }

    [Fact]
    public async Task A_session_call_and_a_session_program_run_past_the_orleans_response_timeout()
    {
        var client = new DSPexClient(fixture.Cluster.Client);
        var session = client.Session($"long-{Guid.NewGuid():N}");
        var call = await session.ExecuteAsync<JsonElement>("sleep", LongerThanTheResponseTimeout, GenerousDeadline);
        Assert.False(call.GetProperty("cancelled").GetBoolean());

        await session.CreateProgramAsync("slow", new { type = "sleeper" });
        var program = await session.ExecuteProgramAsync<JsonElement>("slow", LongerThanTheResponseTimeout, GenerousDeadline);
        Assert.Equal(1, program.GetProperty("calls").GetInt32());
        Assert.False(program.GetProperty("cancelled").GetBoolean());
    }

    [Fact]
    public async Task A_call_unanswered_past_its_limit_fails_as_silo_unavailable_and_its_worker_is_freed()
    {
        var impatient = new DSPexClient(fixture.Cluster.Client, limits: new CallLimits { DefaultCallLimit = TimeSpan.FromSeconds(1) });
        var error = await Assert.ThrowsAsync<Client.Errors.SiloLostException>(
            () => impatient.ExecuteRawAsync("sleep", """{"seconds":60}"""));
        Assert.Contains("no answer from the cluster within 1 s", error.Message);
        Assert.Equal(0, impatient.CallsInFlight);

        // The client's give-up reaches the worker as a cancellation; it does not sleep out its minute.
        var stats = await Eventually.HoldsAsync(fixture.Pool.GetStatsAsync, s => s.Busy == 0, "the abandoned call's worker free again");
        Assert.Equal(stats.Size, stats.Workers);
    }

    [Fact]
    public async Task A_gateway_loss_check_fails_no_call_a_live_silo_holds_even_one_queued_behind_another_in_its_session()
    {
        var client = new DSPexClient(fixture.Cluster.Client);
        var session = client.Session($"queued-{Guid.NewGuid():N}");
        await session.CreateAsync();
        var sleep = new { seconds = 3 };
        var calls = new List<Task<JsonElement>>
        {
            client.ExecuteAsync("sleep", sleep, GenerousDeadline),
            client.ExecuteAsync("sleep", sleep, GenerousDeadline),
            // A session runs its calls one at a time: the second waits in the session grain's queue.
            session.ExecuteAsync<JsonElement>("sleep", sleep, GenerousDeadline),
            session.ExecuteAsync<JsonElement>("sleep", sleep, GenerousDeadline),
        };
        await Eventually.HoldsAsync(fixture.Pool.GetStatsAsync, s => s.Busy == 2, "two workers busy, the other calls waiting");

        // As if a gateway connection had closed: every call in flight is checked until it ends.
        client.OnGatewayLost();
        await client.WhenGatewayLossHandledAsync();

        foreach (var call in calls)
        {
            Assert.False((await call).GetProperty("cancelled").GetBoolean());
        }
    }

    [Fact]
    public async Task A_gateway_loss_check_settles_a_call_a_live_silo_holds_without_waiting_for_it_to_end()
    {
        var client = new DSPexClient(fixture.Cluster.Client);
        using var stop = new CancellationTokenSource();
        var call = client.ExecuteAsync<JsonElement>("sleep", new { seconds = 120 }, GenerousDeadline, stop.Token);
        await Eventually.HoldsAsync(fixture.Pool.GetStatsAsync, s => s.Busy == 1, "the long call running");

        // One check per loss, not a probe every half second for as long as the call runs (docs/scale.md).
        client.OnGatewayLost();
        await client.WhenGatewayLossHandledAsync().WaitAsync(TestBounds.Start);
        Assert.False(call.IsCompleted);
        Assert.Equal(1, client.CallsInFlight);

        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
    }

    [Fact]
    public async Task A_stream_whose_items_come_slower_than_the_orleans_response_timeout_delivers_them_all()
    {
        var client = new DSPexClient(fixture.Cluster.Client);
        var items = new List<int>();
        await foreach (var item in client.StreamAsync<JsonElement>("numbers", new { count = 2, pause = ShortResponseTimeoutCluster.ResponseTimeout.TotalSeconds * 1.5 }, GenerousDeadline))
        {
            items.Add(item.GetProperty("i").GetInt32());
        }

        Assert.Equal([0, 1], items);
    }
}

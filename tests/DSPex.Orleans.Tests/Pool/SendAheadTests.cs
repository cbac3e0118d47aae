using DSPex.Orleans.Client;
using DSPex.Orleans.Contracts;
using DSPex.Orleans.Grains;
using DSPex.Orleans.Tests.Infrastructure;
using Orleans.TestingHost;

namespace DSPex.Orleans.Tests.Pool;

/// <summary>
/// Send-ahead with real Python (one worker, DSPex:Pool:SendAhead = 1): a call written while the worker runs another
/// is held by the bridge and fails or is retried with it when the worker dies; session calls and streams wait in
/// the queue instead; a worker that recycles with calls sent ahead loses none of them.
/// </summary>
[Trait("Category", "Cluster")]
public sealed class SendAheadTests(SendAheadTests.SendAheadCluster fixture) : IClassFixture<SendAheadTests.SendAheadCluster>
{
    private readonly TestCluster _cluster = fixture.Cluster;

    /// <summary>
    /// One cluster for the class (it was one per test); every test waits for the worker idle before it starts. The
    /// recycling test keeps its own cluster (another configuration).
    /// </summary>
    public sealed class SendAheadCluster : IAsyncLifetime
    {
        public TestCluster Cluster { get; private set; } = null!;

        public async Task InitializeAsync() =>
            Cluster = await TestClusters.StartAsync(1, pool: new Dictionary<string, string> { ["Size"] = "1", ["SendAhead"] = "1" });

        public Task DisposeAsync() => Cluster.StopAndDisposeAsync();
    }

    private IPoolGrain Pool => _cluster.PrimaryPool();

    private async Task<WorkerInfo> RunningUncooperativeSleepAsync(List<Task<ExecuteResponse>> calls)
    {
        await Eventually.HoldsAsync(Pool.GetStatsAsync, s => s.Workers == 1 && s.Busy == 0, "the worker idle");
        calls.Add(Pool.ExecuteAsync(new ExecuteRequest("sleep_uncooperative", """{"seconds":30}""")).AsTask());
        var busy = await Eventually.HoldsAsync(Pool.GetStatsAsync, s => s.Busy == 1, "the worker busy with the sleep");
        return busy.WorkerDetails.Single();
    }

    [Fact]
    public async Task A_call_sent_ahead_fails_with_the_worker_that_dies_and_an_idempotent_one_is_retried_on_its_replacement()
    {
        var calls = new List<Task<ExecuteResponse>>();
        var victim = await RunningUncooperativeSleepAsync(calls);
        var ahead = Pool.ExecuteAsync(new ExecuteRequest("pid", "{}")).AsTask();
        await Eventually.HoldsAsync(Pool.GetStatsAsync, s => s.WorkerDetails.Single().InFlight == 2 && s.Queued == 0, "the second call sent ahead, not queued");

        OsProcesses.Kill(victim.Pid);

        Assert.Equal(DSPexErrorKind.WorkerCrashed, (await calls[0]).Error?.Kind);
        var failed = await ahead;
        Assert.Equal(DSPexErrorKind.WorkerCrashed, failed.Error?.Kind);
        Assert.Equal(victim.Pid, failed.WorkerPid);

        // The same with an idempotent call ahead: it runs once more on the replacement.
        calls.Clear();
        var second = await RunningUncooperativeSleepAsync(calls);
        var retried = Pool.ExecuteAsync(new ExecuteRequest("pid", "{}", Idempotent: true)).AsTask();
        await Eventually.HoldsAsync(Pool.GetStatsAsync, s => s.WorkerDetails.Single().InFlight == 2, "the idempotent call sent ahead");

        OsProcesses.Kill(second.Pid);

        Assert.Equal(DSPexErrorKind.WorkerCrashed, (await calls[0]).Error?.Kind);
        var response = await retried;
        Assert.True(response.IsSuccess, response.Error?.Message);
        Assert.NotEqual(second.Pid, response.WorkerPid);
        Assert.Equal(response.WorkerPid.ToString(System.Globalization.CultureInfo.InvariantCulture), response.ResultJson);
    }

    [Fact]
    public async Task Session_calls_and_streams_wait_in_the_queue_rather_than_go_ahead()
    {
        var calls = new List<Task<ExecuteResponse>>();
        var victim = await RunningUncooperativeSleepAsync(calls);
        var client = new DSPexClient(_cluster.Client);
        var session = client.Session($"send-ahead-{Guid.NewGuid():N}").ExecuteRawAsync("ping");
        var stream = CollectAsync(client.StreamRawAsync("numbers", """{"count":3}"""));

        await Eventually.HoldsAsync(Pool.GetStatsAsync, s => s.Queued == 2, "the session call and the stream queued");
        Assert.Equal(1, (await Pool.GetStatsAsync()).WorkerDetails.Single().InFlight);

        // Once the worker is gone, its replacement serves both.
        OsProcesses.Kill(victim.Pid);
        Assert.Contains("pong", await session);
        Assert.Equal(3, (await stream).Count);
    }

    [Fact]
    public async Task A_worker_that_recycles_with_calls_sent_ahead_loses_none_of_them()
    {
        var recycling = await TestClusters.StartAsync(1, pool: new Dictionary<string, string>
        {
            ["Size"] = "1", ["SendAhead"] = "1", ["RecycleAfterRequests"] = "3", ["RecycleJitter"] = "0",
        });
        try
        {
            var pool = recycling.PrimaryPool();
            var first = (await pool.GetStatsAsync()).WorkerDetails.Single().Pid;
            var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => pool.ExecuteAsync(new ExecuteRequest("pid", "{}")).AsTask()));

            Assert.All(responses, r => Assert.True(r.IsSuccess, r.Error?.Message));
            // Recycled after every third request: the calls were served by more than one process.
            Assert.Contains(responses, r => r.WorkerPid != first);
            Assert.All(responses, r => Assert.Equal(r.WorkerPid.ToString(System.Globalization.CultureInfo.InvariantCulture), r.ResultJson));
        }
        finally
        {
            await recycling.StopAndDisposeAsync();
        }
    }

    private static async Task<List<string>> CollectAsync(IAsyncEnumerable<string> items)
    {
        var list = new List<string>();
        await foreach (var item in items)
        {
            list.Add(item);
        }

        return list;
    }
}

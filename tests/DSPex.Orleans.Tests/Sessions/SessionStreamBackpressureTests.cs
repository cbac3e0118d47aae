using System.Text.Json;
using DSPex.Orleans.Client;
using DSPex.Orleans.Contracts;
using DSPex.Orleans.Tests.Infrastructure;
using Orleans.TestingHost;

namespace DSPex.Orleans.Tests.Sessions;

/// <summary>
/// Exact backpressure holds for streams in a session (issue 23 items 4 and 5) on two silos: a session's stream runs on
/// its worker's silo and, when the client's gateway is the other silo, is relayed one item per fetch; either way
/// Python is never more than StreamWindow items ahead of what the client has read. Several sessions, so their
/// workers and the gateways that relay them fall on both silos.
/// </summary>
[Trait("Category", "Cluster")]
public sealed class SessionStreamBackpressureTests : IAsyncLifetime
{
    private const int Window = 16;
    private const int Items = 30;
    private TestCluster _cluster = null!;
    private DSPexClient _client = null!;

    public async Task InitializeAsync()
    {
        // Two requests per worker: the stream holds one, the progress probe (on the same worker) takes the other.
        _cluster = await TestClusters.StartAsync(2, new Dictionary<string, string>
        {
            ["Size"] = "1",
            ["ConcurrencyPerWorker"] = "2",
            ["StreamWindow"] = Window.ToString(),
        });
        _client = new DSPexClient(_cluster.Client);
    }

    public async Task DisposeAsync()
    {
        await _cluster.StopAndDisposeAsync();
    }

    private sealed record Number(int I);

    private sealed record Progress(int Produced, bool Closed);

    [Fact]
    public async Task Python_is_never_more_than_the_window_ahead_of_a_session_streams_reader()
    {
        var mostAhead = 0;
        for (var s = 0; s < 3; s++)
        {
            var session = _client.Session($"window-{Guid.NewGuid():N}");
            await session.ExecuteRawAsync("ping"); // places the session on a worker
            var name = $"session-ahead-{Guid.NewGuid():N}";
            var read = 0;
            await foreach (var item in session.StreamAsync<Number>("numbers", new { count = Items, name }))
            {
                Assert.Equal(read, item.I);
                read++;

                var progress = await ProgressAsync(name);
                mostAhead = Math.Max(mostAhead, progress.Produced - read);
                Assert.True(progress.Produced <= read + Window,
                    $"after {read} items read in a session stream, Python had made {progress.Produced}: more than the window ({Window}) ahead");
            }

            Assert.Equal(Items, read);
            Assert.Equal(1L, (await session.GetInfoAsync())!.Counters["streams"]);
        }

        Assert.InRange(mostAhead, 1, Window);
    }

    /// <summary>Asks every worker of both silos how far the named generator got (only the one that runs it knows it).</summary>
    private async Task<Progress> ProgressAsync(string name)
    {
        var answers = new List<Progress>();
        foreach (var silo in _cluster.Silos)
        {
            var pool = _cluster.PoolOf(silo.SiloAddress);
            var stats = await pool.GetStatsAsync();
            foreach (var worker in stats.WorkerDetails)
            {
                var response = await pool.ExecuteWithAffinityAsync(
                    new ExecuteRequest("stream_progress", JsonSerializer.Serialize(new { name })),
                    new WorkerAffinity(worker.WorkerId, worker.Pid, AffinityMode.StrictQueue));
                answers.Add(response.IsSuccess ? JsonSerializer.Deserialize<Progress>(response.ResultJson!, JsonSerializerOptions.Web)! : new Progress(0, false));
            }
        }

        return answers.MaxBy(p => p.Produced)!;
    }
}

using System.Text.Json;
using DSPex.Orleans.Client;
using DSPex.Orleans.Contracts;
using DSPex.Orleans.Grains;
using DSPex.Orleans.Tests.Infrastructure;

namespace DSPex.Orleans.Tests.Lifecycle;

/// <summary>
/// Exact backpressure for downloads (issue 23 items 3 and 5): the chunks a download's generator has made in Python,
/// counted by the test adapter, against the chunks the client has read. Python is never more than StreamWindow chunks
/// ahead; breaking out or disposing the Stream closes the generator and frees the worker. On the streaming cluster
/// (two calls per worker) so the probe reaches the worker running the download.
/// </summary>
[Trait("Category", "Cluster")]
[Collection(StreamingCollection.Name)]
public sealed class DownloadBackpressureTests(StreamingCluster fixture)
{
    private const int Window = StreamingCluster.Window;

    private readonly DSPexClient _client = fixture.Client;
    private readonly IPoolGrain _pool = fixture.Pool;

    private sealed record Progress(int Produced, bool Closed);

    [Fact]
    public async Task Python_is_never_more_than_the_window_ahead_of_the_chunks_read()
    {
        var name = $"download-ahead-{Guid.NewGuid():N}";
        const int count = 3 * Window;
        var read = 0;
        var mostAhead = 0;
        await foreach (var chunk in _client.DownloadChunksAsync("download_chunks", new { count, size = 1000, name }))
        {
            Assert.Equal(DownloadPattern.Chunk(read, 1000), chunk.ToArray());
            read++;

            // Each probe gives the generator time to run as far as its credit lets it.
            var progress = await ProgressAsync(name);
            mostAhead = Math.Max(mostAhead, progress.Produced - read);
            Assert.True(progress.Produced <= read + Window,
                $"after {read} chunks read, Python had made {progress.Produced}: more than the window ({Window}) ahead");
        }

        Assert.Equal(count, read);
        Assert.InRange(mostAhead, 1, Window);
    }

    [Fact]
    public async Task Breaking_out_closes_the_generator_and_frees_the_worker()
    {
        var restartsBefore = (await _pool.GetStatsAsync()).Restarts;
        var name = $"download-break-{Guid.NewGuid():N}";
        var read = 0;
        await foreach (var _ in _client.DownloadChunksAsync("download_chunks", new { count = 1000, size = 1000, name }))
        {
            if (++read == 5)
            {
                break;
            }
        }

        var closed = await Eventually.HoldsAsync(() => ProgressAsync(name), p => p.Closed, "the generator closed (its finally ran)");
        Assert.InRange(closed.Produced, read, read + Window);
        Assert.Equal(closed.Produced, (await ProgressAsync(name)).Produced);
        var after = await Eventually.HoldsAsync(_pool.GetStatsAsync, s => s.Busy == 0, "the downloading worker freed");
        Assert.Equal(restartsBefore, after.Restarts);
    }

    [Fact]
    public async Task A_disposed_download_stream_refuses_reads_and_its_generator_closes()
    {
        var name = $"download-dispose-{Guid.NewGuid():N}";
        var download = await _client.DownloadAsync("download_chunks", new { count = 1000, size = 1000, name });
        var first = new byte[1000];
        await download.ReadExactlyAsync(first);
        Assert.Equal(DownloadPattern.Chunk(0, 1000), first);

        await download.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await download.ReadExactlyAsync(new byte[10]));
        Assert.Throws<ObjectDisposedException>(() => download.ReadByte());
        var closed = await Eventually.HoldsAsync(() => ProgressAsync(name), p => p.Closed, "the generator closed (its finally ran)");
        Assert.InRange(closed.Produced, 1, 1 + Window);
    }

    /// <summary>Asks both workers how far the named generator got (only the one that runs it knows it).</summary>
    private async Task<Progress> ProgressAsync(string name)
    {
        var stats = await _pool.GetStatsAsync();
        var answers = await Task.WhenAll(stats.WorkerDetails.Select(async w =>
        {
            var response = await _pool.ExecuteWithAffinityAsync(
                new ExecuteRequest("stream_progress", JsonSerializer.Serialize(new { name })),
                new WorkerAffinity(w.WorkerId, w.Pid, AffinityMode.StrictQueue));
            return response.IsSuccess ? JsonSerializer.Deserialize<Progress>(response.ResultJson!, JsonSerializerOptions.Web)! : new Progress(0, false);
        }));
        return answers.MaxBy(p => p.Produced)!;
    }
}

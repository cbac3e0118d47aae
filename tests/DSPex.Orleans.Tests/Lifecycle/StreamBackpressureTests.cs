using System.Text.Json;
using DSPex.Orleans.Client;
using DSPex.Orleans.Contracts;
using DSPex.Orleans.Grains;
using DSPex.Orleans.Tests.Infrastructure;

namespace DSPex.Orleans.Tests.Lifecycle;

/// <summary>
/// Exact backpressure (issue 23 item 5): the items a generator has made in Python, counted by the test adapter,
/// against the items the client has read. Python is never more than StreamWindow items ahead of the reader, and a
/// reader that breaks out closes the generator without it running further.
/// </summary>
[Trait("Category", "Cluster")]
[Collection(StreamingCollection.Name)]
public sealed class StreamBackpressureTests(StreamingCluster fixture)
{
    private const int Window = StreamingCluster.Window;

    private readonly DSPexClient _client = fixture.Client;
    private readonly IPoolGrain _pool = fixture.Pool;

    public sealed record Number(int I);

    private sealed record Progress(int Produced, bool Closed);

    [Fact]
    public async Task Python_is_never_more_than_the_window_ahead_of_what_the_client_has_read()
    {
        var name = $"ahead-{Guid.NewGuid():N}";
        var read = 0;
        var mostAhead = 0;
        await foreach (var item in _client.StreamAsync<Number>("numbers", new { count = 200, name }))
        {
            Assert.Equal(read, item.I);
            read++;

            // Each probe gives the generator time to run as far as its credit lets it.
            var progress = await ProgressAsync(name);
            mostAhead = Math.Max(mostAhead, progress.Produced - read);
            Assert.True(progress.Produced <= read + Window,
                $"after {read} items read, Python had made {progress.Produced}: more than the window ({Window}) ahead");
        }

        Assert.Equal(200, read);
        Assert.InRange(mostAhead, 1, Window);
    }

    [Fact]
    public async Task Breaking_out_closes_the_generator_with_no_more_made_than_read_plus_the_window()
    {
        var before = await _pool.GetStatsAsync();
        var name = $"break-{Guid.NewGuid():N}";
        var read = 0;
        await foreach (var item in _client.StreamAsync<Number>("numbers", new { count = 200, name }))
        {
            read++;
            if (read == 5)
            {
                break;
            }
        }

        var closed = await Eventually.HoldsAsync(() => ProgressAsync(name), p => p.Closed, "the generator closed (its finally ran)");
        Assert.InRange(closed.Produced, read, read + Window);

        // Closed for good: nothing more is made after its finally ran, and its worker is free and was not killed.
        Assert.Equal(closed.Produced, (await ProgressAsync(name)).Produced);
        var after = await Eventually.HoldsAsync(_pool.GetStatsAsync, s => s.Busy == 0, "the streaming worker freed");
        Assert.Equal(before.Restarts, after.Restarts);
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

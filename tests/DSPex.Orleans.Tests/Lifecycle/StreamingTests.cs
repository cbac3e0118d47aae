using System.Text.Json;
using DSPex.Orleans.Client;
using DSPex.Orleans.Client.Errors;
using DSPex.Orleans.Contracts;
using DSPex.Orleans.Grains;
using DSPex.Orleans.Tests.Infrastructure;
using Orleans.TestingHost;

namespace DSPex.Orleans.Tests.Lifecycle;

/// <summary>
/// One silo with two workers that take two requests each (a stream holds one, a progress probe on the same worker
/// takes the other), shared by <see cref="StreamingTests"/> and <see cref="StreamBackpressureTests"/>: each test names
/// its own generator, leaves no stream running (a test that stops one early waits for its worker to be free) and
/// compares counters with what they were when it began.
/// </summary>
public sealed class StreamingCluster : IAsyncLifetime
{
    public const int Window = 16;

    public TestCluster Cluster { get; private set; } = null!;

    public DSPexClient Client { get; private set; } = null!;

    public IPoolGrain Pool { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Cluster = await TestClusters.StartAsync(1, new Dictionary<string, string>
        {
            ["Size"] = "2",
            ["ConcurrencyPerWorker"] = "2",
            ["StreamWindow"] = Window.ToString(),
        });
        Client = new DSPexClient(Cluster.Client);
        Pool = Cluster.PrimaryPool();
    }

    public async Task DisposeAsync() => await Cluster.StopAndDisposeAsync();
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class StreamingCollection : ICollectionFixture<StreamingCluster>
{
    public const string Name = "streaming cluster";
}

/// <summary>Generator commands streamed as IAsyncEnumerable through the client library.</summary>
[Trait("Category", "Cluster")]
[Collection(StreamingCollection.Name)]
public sealed class StreamingTests(StreamingCluster fixture)
{
    private const int Window = StreamingCluster.Window;

    private readonly DSPexClient _client = fixture.Client;
    private readonly IPoolGrain _pool = fixture.Pool;

    public sealed record Number(int I);

    [Fact]
    public async Task A_generator_streams_every_item_in_order()
    {
        var items = new List<int>();
        await foreach (var item in _client.StreamAsync<Number>("numbers", new { count = 200 }))
        {
            items.Add(item.I);
        }

        Assert.Equal(Enumerable.Range(0, 200), items);
        Assert.Equal(0, (await _pool.GetStatsAsync()).Busy);
    }

    [Fact]
    public async Task A_generator_that_raises_ends_its_stream_with_the_python_error()
    {
        var items = new List<int>();
        var error = await Assert.ThrowsAsync<PythonException>(async () =>
        {
            await foreach (var item in _client.StreamAsync<Number>("numbers", new { count = 10, fail_at = 3 }))
            {
                items.Add(item.I);
            }
        });
        Assert.Equal([0, 1, 2, 3], items);
        Assert.Equal("ValueError", error.PythonType);
    }

    [Fact]
    public async Task A_slow_reader_holds_the_generator_back_and_stopping_early_cancels_it()
    {
        var before = await _pool.GetStatsAsync();
        var name = $"stream-{Guid.NewGuid():N}";
        var read = 0;
        await using (var stream = _client.StreamAsync<Number>("numbers", new { count = 1_000_000, name }).GetAsyncEnumerator())
        {
            while (read < 3 && await stream.MoveNextAsync())
            {
                read++;
            }

            // The generator runs until its credit is used up, then waits for the reader: the silo grants credit
            // as the client reads (one item per fetch), so a stopped reader leaves at most a window produced past
            // what it read, where without credit Python would fill the pipe (thousands of items) before blocking.
            // (Before issue 23 item 5 this allowed a whole Orleans batch of 100 and four windows;
            // StreamBackpressureTests pins the exact bound.)
            var produced = await Eventually.HoldsAsync(() => ProducedAsync(name), p => p >= Window, "the generator used its first window");
            Assert.InRange(produced, Window, read + Window);
        }

        // Disposing the enumerator cancelled the generator in Python: its worker is free and was not killed.
        var after = await Eventually.HoldsAsync(_pool.GetStatsAsync, s => s.Busy == 0, "the streaming worker freed");
        Assert.Equal(before.Restarts, after.Restarts);
        Assert.Equal(before.HungWorkersKilled, after.HungWorkersKilled);
    }

    /// <summary>Asks both workers (each can serve two requests at once) how far the named generator got.</summary>
    private async Task<int> ProducedAsync(string name)
    {
        var stats = await _pool.GetStatsAsync();
        var counts = await Task.WhenAll(stats.WorkerDetails.Select(async w =>
        {
            var response = await _pool.ExecuteWithAffinityAsync(
                new ExecuteRequest("produced", JsonSerializer.Serialize(new { name })),
                new WorkerAffinity(w.WorkerId, w.Pid, AffinityMode.StrictQueue));
            return response.IsSuccess ? JsonSerializer.Deserialize<int>(response.ResultJson!) : 0;
        }));
        return counts.Max();
    }
}

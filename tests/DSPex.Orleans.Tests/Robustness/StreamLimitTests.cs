using DSPex.Orleans.Client;
using DSPex.Orleans.Client.Errors;
using DSPex.Orleans.Contracts;
using DSPex.Orleans.Tests.Infrastructure;

namespace DSPex.Orleans.Tests.Robustness;

/// <summary>Streams end at their deadline and at the idle limit, and free their worker even when the caller stops reading.</summary>
[Trait("Category", "Cluster")]
[Collection(RobustnessCollection.Name)]
public sealed class StreamLimitTests(RobustnessClusterFixture fixture)
{
    public sealed record Number(int I);

    [Fact]
    public async Task A_stream_past_its_deadline_ends_with_deadline_exceeded_and_frees_its_worker()
    {
        var read = 0;
        var error = await Assert.ThrowsAsync<DeadlineExceededException>(async () =>
        {
            // An endless generator, a short deadline: the items before it arrive, then the typed end.
            await foreach (var _ in fixture.Client.StreamAsync<Number>("numbers", new { count = 100_000_000, pause = 0.05 },
                               new ExecuteOptions { Timeout = TimeSpan.FromSeconds(1) }))
            {
                read++;
            }
        });
        Assert.Contains("deadline of 1000 ms", error.Message);
        Assert.Equal(0, (await fixture.FullCapacityAsync("a stream past its deadline")).Busy);
    }

    [Fact]
    public async Task A_stream_with_no_item_for_the_idle_limit_ends_with_deadline_exceeded()
    {
        var error = await Assert.ThrowsAsync<DeadlineExceededException>(async () =>
        {
            await foreach (var _ in fixture.Client.StreamAsync<Number>("numbers", new { count = 3, pause = 120 },
                               new ExecuteOptions { Timeout = TimeSpan.FromMinutes(4) }))
            {
            }
        });
        Assert.Contains("idle limit", error.Message);
        Assert.Equal(0, (await fixture.FullCapacityAsync("an idle stream")).Busy);
    }

    [Fact]
    public async Task A_stream_whose_caller_stops_reading_is_freed_at_its_deadline_without_the_caller()
    {
        var stream = fixture.Client.StreamAsync<Number>("numbers", new { count = 100_000_000 },
            new ExecuteOptions { Timeout = TimeSpan.FromSeconds(1) }).GetAsyncEnumerator();
        try
        {
            Assert.True(await stream.MoveNextAsync());
            await Eventually.HoldsAsync(() => fixture.Pool.GetStatsAsync(), s => s.Busy == 1, "the stream holds a worker");

            // No more reads and no dispose: the deadline alone frees the worker.
            Assert.Equal(0, (await fixture.FullCapacityAsync("a stream its caller stopped reading")).Busy);
        }
        finally
        {
            await stream.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_stream_with_an_unusable_request_ends_with_one_typed_item()
    {
        var items = new List<StreamItem>();
        await foreach (var item in fixture.Router.StreamAsync(new ExecuteRequest("numbers", "{not json")))
        {
            items.Add(item);
        }

        var only = Assert.Single(items);
        Assert.Equal(DSPexErrorKind.InvalidArguments, only.Error?.Kind);
        Assert.Throws<InvalidArgumentsException>(() => fixture.Client.StreamRawAsync("numbers", "{not json"));
    }

    [Theory]
    [InlineData("numbers")]
    [InlineData("async_numbers")]
    public async Task Exec_of_a_generator_command_is_invalid_arguments_saying_to_stream_it(string command)
    {
        // Before: null, as if it succeeded, with the items Python produced dropped (tests/python_unit/test_generator_exec
        // shows the generator no longer runs at all).
        var error = await Assert.ThrowsAsync<InvalidArgumentsException>(() => fixture.Client.ExecuteRawAsync(command, """{"count":3}"""));

        Assert.Contains("is a stream (a generator): call it with stream", error.Message, StringComparison.Ordinal);
        var streamed = 0;
        await foreach (var _ in fixture.Client.StreamRawAsync(command, """{"count":3}"""))
        {
            streamed++;
        }

        Assert.Equal(3, streamed);
    }
}

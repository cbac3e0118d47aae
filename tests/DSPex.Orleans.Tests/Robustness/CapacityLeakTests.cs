using DSPex.Orleans.Client.Errors;
using DSPex.Orleans.Contracts;
using DSPex.Orleans.Tests.Infrastructure;

namespace DSPex.Orleans.Tests.Robustness;

/// <summary>
/// A request that fails between taking a worker and writing to it returns the worker (security review C2): on the
/// direct path and on the queued path, where the freed worker's reader thread writes the waiting request.
/// </summary>
[Trait("Category", "Cluster")]
[Collection(RobustnessCollection.Name)]
public sealed class CapacityLeakTests(RobustnessClusterFixture fixture)
{
    // A spec of null cannot be written into a frame: the writer refuses it after the worker was taken.
    private static readonly ProgramCall Unwritable = new("p", 1, null!);

    [Fact]
    public async Task Null_args_twice_through_the_client_are_refused_and_the_pool_keeps_serving()
    {
        for (var i = 0; i < RobustnessClusterFixture.PoolSize; i++)
        {
            var error = await Assert.ThrowsAsync<InvalidArgumentsException>(() => fixture.Client.ExecuteRawAsync("echo", null!));
            Assert.Contains("argsJson", error.Message);
        }

        Assert.Equal("\"pong\"", await fixture.Client.ExecuteRawAsync("ping"));
        Assert.Equal(0, (await fixture.FullCapacityAsync("null args")).Busy);
    }

    [Fact]
    public async Task Null_args_from_a_raw_orleans_caller_are_refused_before_a_worker_is_taken()
    {
        var before = await fixture.FullCapacityAsync("earlier tests");
        for (var i = 0; i < RobustnessClusterFixture.PoolSize * 2; i++)
        {
            var response = await fixture.Pool.ExecuteAsync(new ExecuteRequest("echo", null!));
            Assert.Equal(DSPexErrorKind.InvalidArguments, response.Error?.Kind);
            Assert.Contains("args", response.Error!.Message);
            Assert.Null(response.WorkerId);
        }

        Assert.True((await fixture.Pool.ExecuteAsync(new ExecuteRequest("ping", "{}"))).IsSuccess);
        var after = await fixture.FullCapacityAsync("null args");
        Assert.Equal(before.Restarts, after.Restarts);
    }

    [Fact]
    public async Task A_request_the_writer_refuses_on_the_direct_path_returns_its_worker_with_a_typed_error()
    {
        for (var i = 0; i < RobustnessClusterFixture.PoolSize * 2; i++)
        {
            var response = await fixture.LocalPool.ExecuteAsync(new ExecuteRequest("echo", "{}", Program: Unwritable), CancellationToken.None);
            Assert.Equal(DSPexErrorKind.InvalidArguments, response.Error?.Kind);
            Assert.DoesNotMatch(CliErrorTests.StackFrame, response.Error!.Message);
        }

        Assert.True((await fixture.Pool.ExecuteAsync(new ExecuteRequest("ping", "{}"))).IsSuccess);
        Assert.Equal(0, (await fixture.FullCapacityAsync("failed writes")).Busy);
    }

    [Fact]
    public async Task A_queued_request_the_writer_refuses_on_the_reader_thread_gets_a_typed_error_and_the_worker_comes_back()
    {
        await fixture.FullCapacityAsync("earlier tests");
        // Both workers busy, so the unwritable requests queue; each freed worker hands them over on its reader thread.
        var holders = Enumerable.Range(0, RobustnessClusterFixture.PoolSize)
            .Select(_ => fixture.Pool.ExecuteAsync(new ExecuteRequest("sleep", """{"seconds":1}""")).AsTask()).ToList();
        await Eventually.HoldsAsync(() => fixture.Pool.GetStatsAsync(), s => s.Busy == RobustnessClusterFixture.PoolSize, "both workers taken");
        var queued = Enumerable.Range(0, RobustnessClusterFixture.PoolSize * 2)
            .Select(_ => fixture.LocalPool.ExecuteAsync(new ExecuteRequest("echo", "{}", Program: Unwritable), CancellationToken.None).AsTask()).ToList();
        await Eventually.HoldsAsync(() => fixture.Pool.GetStatsAsync(), s => s.Queued == queued.Count, "the unwritable requests queued");

        foreach (var response in await Task.WhenAll(queued))
        {
            Assert.Equal(DSPexErrorKind.InvalidArguments, response.Error?.Kind);
        }

        Assert.All(await Task.WhenAll(holders), r => Assert.True(r.IsSuccess, r.Error?.Message));
        Assert.True((await fixture.Pool.ExecuteAsync(new ExecuteRequest("ping", "{}"))).IsSuccess);
        Assert.Equal(0, (await fixture.FullCapacityAsync("failed hand-offs")).Busy);
    }
}

using DSPex.Orleans.Client.Uploads;

namespace DSPex.Orleans.UnitTests.Uploads;

/// <summary>
/// The caller's chunk source is disposed when the upload call ends, never while the silo's read of it runs: a
/// compiler-made async iterator disposed mid-read throws NotSupportedException, which reached the caller in place of
/// the call's own answer (seen in CI: a Forbidden upload answered while the silo's first read was in the source's code).
/// </summary>
[Trait("Category", "Unit")]
public sealed class ChunkReaderTests
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task A_call_that_ends_while_a_read_runs_in_the_sources_code_disposes_the_source_when_that_read_ends()
    {
        using var source = new BlockingSource();
        var reader = new ChunkReader(source.Chunks().GetAsyncEnumerator(), CancellationToken.None);
        var read = Task.Run(() => reader.ReadAsync(0));
        Assert.True(source.Entered.Wait(HangGuard)); // the read is inside the source's first MoveNextAsync

        await reader.DisposeWhenIdleAsync();
        Assert.False(source.Disposed);

        source.Release.Set();
        var chunk = await read.WaitAsync(HangGuard);
        Assert.False(chunk.End);
        Assert.Equal([1], chunk.Data.ToArray());
        Assert.True(source.Disposed);
    }

    [Fact]
    public async Task A_read_asked_for_after_the_call_ended_gets_the_end_without_touching_the_source()
    {
        using var source = new BlockingSource();
        var reader = new ChunkReader(source.Chunks().GetAsyncEnumerator(), CancellationToken.None);

        await reader.DisposeWhenIdleAsync();
        var chunk = await reader.ReadAsync(0);

        Assert.True(chunk.End);
        Assert.False(source.Entered.IsSet);
        Assert.Equal(0, reader.Read);
    }

    [Fact]
    public async Task With_no_read_under_way_the_source_is_disposed_at_once_and_only_once()
    {
        using var source = new BlockingSource();
        source.Release.Set();
        var reader = new ChunkReader(source.Chunks().GetAsyncEnumerator(), CancellationToken.None);
        Assert.False((await reader.ReadAsync(0)).End);

        await reader.DisposeWhenIdleAsync();
        await reader.DisposeWhenIdleAsync();

        Assert.True(source.Disposed);
        Assert.Equal(1, source.DisposeCount);
    }

    private sealed class BlockingSource : IDisposable
    {
        public ManualResetEventSlim Entered { get; } = new();

        public ManualResetEventSlim Release { get; } = new();

        public bool Disposed => DisposeCount > 0;

        public int DisposeCount { get; private set; }

        // A synchronous source (a blocking read in its own code) inside an async iterator, as StreamChunks is over a stream.
        public async IAsyncEnumerable<ReadOnlyMemory<byte>> Chunks()
        {
            try
            {
                Entered.Set();
                Release.Wait(HangGuard);
                yield return new byte[] { 1 };
                await Task.Yield();
                yield return new byte[] { 2 };
            }
            finally
            {
                DisposeCount++;
            }
        }

        public void Dispose()
        {
            Entered.Dispose();
            Release.Dispose();
        }
    }
}

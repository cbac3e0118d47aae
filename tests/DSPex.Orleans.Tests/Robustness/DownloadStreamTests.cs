using DSPex.Orleans.Client.Errors;
using DSPex.Orleans.Contracts;
using DSPex.Orleans.Tests.Infrastructure;

namespace DSPex.Orleans.Tests.Robustness;

/// <summary>
/// Data past one frame comes out of a command as a stream of binary chunks (a generator yielding bytes, read with
/// DSPexClient.DownloadAsync as a Stream or DownloadChunksAsync as chunks), each chunk a raw binary part of an item
/// frame. Each way a download goes wrong (a chunk over the frame limit, a generator that raises, items that are not
/// bytes) is typed and the worker serves on. Backpressure and stopping: DownloadBackpressureTests.
/// </summary>
[Trait("Category", "Cluster")]
[Collection(RobustnessCollection.Name)]
public sealed class DownloadStreamTests(RobustnessClusterFixture fixture)
{
    [Fact]
    public async Task Five_frames_of_data_come_down_as_chunks_and_arrive_whole_read_as_a_stream()
    {
        const int size = 256 * 1024;
        var count = 5 * RobustnessClusterFixture.MaxFrameBytes / size + 1;

        await using var download = await fixture.Client.DownloadAsync("download_chunks", new { count, size });
        var received = new MemoryStream();
        await download.CopyToAsync(received, 100_000);

        Assert.Equal(Expected(count, size), received.ToArray());
        Assert.Equal(0, await download.ReadAsync(new byte[10]));
    }

    [Fact]
    public async Task A_chunk_over_the_frame_limit_ends_the_download_naming_it_after_the_chunks_before()
    {
        var restartsBefore = (await fixture.FullCapacityAsync("before")).Restarts;
        var read = new List<byte[]>();

        var error = await Assert.ThrowsAsync<FrameTooLargeException>(async () =>
        {
            await foreach (var chunk in fixture.Client.DownloadChunksAsync("download_chunks",
                new { count = 5, size = 100, oversize_at = 2, oversize = RobustnessClusterFixture.MaxFrameBytes }))
            {
                read.Add(chunk.ToArray());
            }
        });

        Assert.Contains("stream item 2", error.Message);
        Assert.Equal([Pattern(0, 100), Pattern(1, 100)], read);
        Assert.Equal(restartsBefore, (await fixture.FullCapacityAsync("a download chunk over the frame limit")).Restarts);
    }

    [Fact]
    public async Task A_generator_that_raises_midway_ends_the_stream_with_its_error_after_the_chunks_it_made()
    {
        var restartsBefore = (await fixture.FullCapacityAsync("before")).Restarts;
        await using var download = await fixture.Client.DownloadAsync("download_chunks", new { count = 10, size = 100, fail_at = 3 });
        var received = new MemoryStream();

        var error = await Assert.ThrowsAsync<PythonException>(() => download.CopyToAsync(received));

        Assert.Contains("after chunk 3", error.Message);
        Assert.Equal(Expected(4, 100), received.ToArray());
        Assert.Equal(restartsBefore, (await fixture.FullCapacityAsync("a download whose generator raised")).Restarts);
    }

    [Fact]
    public async Task Items_that_are_not_bytes_are_a_typed_error_naming_the_item()
    {
        var error = await Assert.ThrowsAsync<DSPexDataException>(async () =>
        {
            await foreach (var _ in fixture.Client.DownloadChunksAsync("numbers", new { count = 3, name = $"not-bytes-{Guid.NewGuid():N}" }))
            {
            }
        });

        Assert.Equal(DSPexErrorKind.ResultNotSerializable, error.Kind);
        Assert.Contains("stream item 0 is not a chunk of bytes", error.Message);
        await fixture.FullCapacityAsync("a download of items that are not bytes");
    }

    [Fact]
    public async Task A_download_of_an_unknown_command_fails_where_it_is_made()
    {
        await Assert.ThrowsAsync<UnknownCommandException>(() => fixture.Client.DownloadAsync("no_such_download"));
    }

    private static byte[] Pattern(int index, int size) => DownloadPattern.Chunk(index, size);

    private static byte[] Expected(int count, int size) => DownloadPattern.Chunks(count, size);
}

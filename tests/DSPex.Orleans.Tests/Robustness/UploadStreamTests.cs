using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using DSPex.Orleans.Client;
using DSPex.Orleans.Client.Errors;

namespace DSPex.Orleans.Tests.Robustness;

/// <summary>
/// Data past one frame goes into a command as a stream of chunks (DSPexClient.UploadAsync, dspex.upload() in Python),
/// read from the caller only as the command takes them. Each way an upload goes wrong (it ends early, runs past its
/// declared length, its source fails or never ends, a chunk is over the frame limit) is a typed error naming the
/// chunk, and the worker serves on: the pool is back at full capacity with no restart.
/// </summary>
[Trait("Category", "Cluster")]
[Collection(RobustnessCollection.Name)]
public sealed class UploadStreamTests(RobustnessClusterFixture fixture)
{
    private const int Window = 16; // DSPex:Pool:StreamWindow's default: the fixture keeps it
    private const int ChunkBytes = 64 * 1024;

    private sealed record Digest(string Sha256, long Size, int Chunks);

    [Fact]
    public async Task Five_frames_of_data_go_up_as_chunks_and_arrive_whole()
    {
        var data = new byte[5 * RobustnessClusterFixture.MaxFrameBytes + 12345];
        new Random(23).NextBytes(data);

        var result = await fixture.Client.UploadAsync("upload_digest", new MemoryStream(data));

        var digest = result.Read<Digest>()!;
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(data)), digest.Sha256);
        Assert.Equal(data.Length, digest.Size);
        Assert.True(digest.Chunks >= 6, $"{digest.Chunks} chunks: each must fit one frame of {RobustnessClusterFixture.MaxFrameBytes} bytes");
    }

    [Fact]
    public async Task The_client_never_produces_more_than_the_window_ahead_of_what_python_took()
    {
        var takenPath = Path.Combine(Path.GetTempPath(), $"dspex-upload-taken-{Guid.NewGuid():N}");
        try
        {
            var produced = 0;
            var furthestAhead = 0;
            async IAsyncEnumerable<ReadOnlyMemory<byte>> Chunks()
            {
                for (var i = 0; i < 5 * Window; i++)
                {
                    // Python writes its count after it took a chunk (and granted its credit back): the file may lag by one.
                    var taken = File.Exists(takenPath) ? int.Parse(await File.ReadAllTextAsync(takenPath)) : 0;
                    furthestAhead = Math.Max(furthestAhead, produced - taken);
                    Assert.True(produced - taken <= Window + 1, $"the client made chunk {produced} while Python had taken {taken}");
                    produced++;
                    yield return new byte[ChunkBytes];
                }
            }

            var digest = (await fixture.Client.UploadAsync("upload_digest", Chunks(), new { taken_path = takenPath }, declaredLength: 5L * Window * ChunkBytes)).Read<Digest>()!;

            Assert.Equal(5 * Window, digest.Chunks);
            Assert.Equal(5L * Window * ChunkBytes, digest.Size);
        }
        finally
        {
            File.Delete(takenPath);
        }
    }

    [Fact]
    public async Task Data_that_ends_before_its_declared_length_fails_naming_the_chunk_and_the_worker_serves_on()
    {
        var restartsBefore = (await fixture.FullCapacityAsync("before")).Restarts;

        var error = await Assert.ThrowsAsync<InvalidArgumentsException>(() =>
            fixture.Client.UploadAsync("upload_digest", Chunks(3), declaredLength: 10L * ChunkBytes));

        Assert.Contains($"chunk 3 is its end after {3 * ChunkBytes} bytes, but it declared {10 * ChunkBytes}", error.Message);
        Assert.Equal(restartsBefore, (await fixture.FullCapacityAsync("an upload that ended early")).Restarts);
    }

    [Fact]
    public async Task Data_longer_than_its_declared_length_fails_naming_the_chunk()
    {
        var restartsBefore = (await fixture.FullCapacityAsync("before")).Restarts;

        var error = await Assert.ThrowsAsync<InvalidArgumentsException>(() =>
            fixture.Client.UploadAsync("upload_digest", Chunks(5), declaredLength: 2L * ChunkBytes + 1));

        Assert.Contains($"chunk 2 takes the upload to {3 * ChunkBytes} bytes, past the {2 * ChunkBytes + 1} it declared", error.Message);
        Assert.Equal(restartsBefore, (await fixture.FullCapacityAsync("an upload longer than declared")).Restarts);
    }

    [Fact]
    public async Task A_source_that_fails_ends_the_upload_early_naming_the_chunk()
    {
        var restartsBefore = (await fixture.FullCapacityAsync("before")).Restarts;

        var error = await Assert.ThrowsAsync<InvalidArgumentsException>(() =>
            fixture.Client.UploadAsync("upload_digest", Chunks(2, thenThrow: true)));

        Assert.Contains("failed at chunk 2", error.Message);
        Assert.Contains("IOException", error.Message);
        Assert.Equal(restartsBefore, (await fixture.FullCapacityAsync("an upload whose source failed")).Restarts);
    }

    [Fact]
    public async Task A_source_that_never_ends_fails_at_the_deadline_and_the_worker_serves_on()
    {
        var restartsBefore = (await fixture.FullCapacityAsync("before")).Restarts;
        using var release = new CancellationTokenSource();

        var error = await Assert.ThrowsAsync<DeadlineExceededException>(() =>
            fixture.Client.UploadAsync("upload_digest", Chunks(1, hangUntil: release.Token), options: new ExecuteOptions { Timeout = TimeSpan.FromSeconds(5) }));

        release.Cancel();
        Assert.Contains("chunk 1 never came", error.Message);
        Assert.Equal(restartsBefore, (await fixture.FullCapacityAsync("an upload that never ended")).Restarts);
    }

    [Fact]
    public async Task A_chunk_over_the_frame_limit_is_refused_naming_it()
    {
        var restartsBefore = (await fixture.FullCapacityAsync("before")).Restarts;

        static async IAsyncEnumerable<ReadOnlyMemory<byte>> OneTooBig()
        {
            await Task.Yield();
            yield return new byte[16];
            yield return new byte[RobustnessClusterFixture.MaxFrameBytes];
        }

        var error = await Assert.ThrowsAsync<FrameTooLargeException>(() => fixture.Client.UploadAsync("upload_digest", OneTooBig()));

        Assert.Contains("chunk 1 of the upload", error.Message);
        Assert.Equal(restartsBefore, (await fixture.FullCapacityAsync("a chunk over the frame limit")).Restarts);
    }

    private static async IAsyncEnumerable<ReadOnlyMemory<byte>> Chunks(int count, bool thenThrow = false, CancellationToken hangUntil = default,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        for (var i = 0; i < count; i++)
        {
            await Task.Yield();
            yield return new byte[ChunkBytes];
        }

        if (thenThrow)
        {
            throw new IOException("the disk went away");
        }

        if (hangUntil.CanBeCanceled)
        {
            // Never ends by itself: the test releases it once the call has failed (or the client's call ends it).
            using var both = CancellationTokenSource.CreateLinkedTokenSource(hangUntil, cancellationToken);
            await Task.Delay(Timeout.Infinite, both.Token).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }
}

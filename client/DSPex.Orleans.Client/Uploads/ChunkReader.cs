using DSPex.Orleans.Contracts;

namespace DSPex.Orleans.Client.Uploads;

/// <summary>
/// The observer the silo running an upload reads its chunks from, one call per chunk and only as the Python command
/// takes them (the silo holds the window), so nothing is read from the caller's source ahead of that. Chunks are
/// asked for in order; the silo is the only caller (the reference is named only in this upload's request).
/// </summary>
internal sealed class ChunkReader(IAsyncEnumerator<ReadOnlyMemory<byte>> chunks, CancellationToken cancellationToken) : IChunkSource
{
    private int _next;
    private Task? _pending;

    /// <summary>
    /// Disposes the caller's enumerator once no read of it is under way: at once, or (a source that has not answered
    /// the silo's last read, which gave up on it) when that read ends, so the call never waits for a source that hangs.
    /// </summary>
    public ValueTask DisposeWhenIdleAsync()
    {
        if (_pending is { IsCompleted: false } pending)
        {
            _ = pending.ContinueWith(_ => chunks.DisposeAsync().AsTask(), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default).Unwrap();
            return ValueTask.CompletedTask;
        }

        return chunks.DisposeAsync();
    }

    /// <summary>Chunks handed to the silo so far.</summary>
    public int Read => _next;

    public async Task<UploadChunk> ReadAsync(int index)
    {
        if (index != _next)
        {
            throw new InvalidOperationException($"chunk {index} was asked for; the upload is at chunk {_next}");
        }

        cancellationToken.ThrowIfCancellationRequested();
        var next = chunks.MoveNextAsync().AsTask();
        _pending = next;
        if (!await next.ConfigureAwait(false))
        {
            return UploadChunk.Last;
        }

        _next++;
        return new UploadChunk(chunks.Current, false);
    }
}

using DSPex.Orleans.Contracts;

namespace DSPex.Orleans.Client.Uploads;

/// <summary>
/// The observer the silo running an upload reads its chunks from, one call per chunk and only as the Python command
/// takes them (the silo holds the window), so nothing is read from the caller's source ahead of that. Chunks are
/// asked for in order; the silo is the only caller (the reference is named only in this upload's request).
/// </summary>
internal sealed class ChunkReader(IAsyncEnumerator<ReadOnlyMemory<byte>> chunks, CancellationToken cancellationToken) : IChunkSource
{
    private const int Idle = 0;
    private const int Reading = 1;
    private const int DisposeWhenReadEnds = 2;
    private const int Disposed = 3;

    // The enumerator may not be disposed while a read of it runs (a compiler-made async iterator throws
    // NotSupportedException), and the silo's read can arrive as the call ends: whichever of the two ends last disposes.
    private int _state;
    private int _next;

    /// <summary>
    /// Disposes the caller's enumerator once no read of it is under way: at once, or (a source that has not answered
    /// the silo's last read, which gave up on it, or a read that began as the call ended) when that read ends, so the
    /// call never waits for a source that hangs. A read asked for afterwards gets the end of the chunks.
    /// </summary>
    public ValueTask DisposeWhenIdleAsync()
    {
        while (true)
        {
            switch (Interlocked.CompareExchange(ref _state, Disposed, Idle))
            {
                case Idle:
                    return chunks.DisposeAsync();
                case Reading when Interlocked.CompareExchange(ref _state, DisposeWhenReadEnds, Reading) == Reading:
                    return ValueTask.CompletedTask;
                case Reading:
                    continue; // the read ended meanwhile: look again
                default:
                    return ValueTask.CompletedTask; // already disposed, or left to the read under way
            }
        }
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
        if (Interlocked.CompareExchange(ref _state, Reading, Idle) != Idle)
        {
            // The call has ended (or the silo overlapped its reads, which it never does): nothing more is read.
            return UploadChunk.Last;
        }

        UploadChunk chunk;
        try
        {
            chunk = await chunks.MoveNextAsync().ConfigureAwait(false) ? new UploadChunk(chunks.Current, false) : UploadChunk.Last;
        }
        finally
        {
            if (Interlocked.CompareExchange(ref _state, Idle, Reading) != Reading)
            {
                // The call ended during the read: this read is the enumerator's last user.
                Volatile.Write(ref _state, Disposed);
                await chunks.DisposeAsync().ConfigureAwait(false);
            }
        }

        if (!chunk.End)
        {
            _next++;
        }

        return chunk;
    }
}

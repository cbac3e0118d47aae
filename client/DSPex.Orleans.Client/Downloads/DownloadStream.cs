namespace DSPex.Orleans.Client.Downloads;

/// <summary>
/// A download's chunks as a read-only, forward-only stream. Each chunk is fetched when a read has used up the one
/// before, so the stream's credit (and with it the generator) follows the reader. Disposing ends the silo stream,
/// which stops the generator.
/// </summary>
internal sealed class DownloadStream(IAsyncEnumerator<ReadOnlyMemory<byte>> chunks) : Stream
{
    private ReadOnlyMemory<byte> _current;
    private bool _ended;
    private bool _disposed;
    private long _read;

    public override bool CanRead => !_disposed;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException("a download's length is known only at its end");

    public override long Position
    {
        get => _read;
        set => throw new NotSupportedException("a download is read forward only");
    }

    /// <summary>The stream over <paramref name="chunks"/>, its first chunk fetched (a call that cannot start fails here).</summary>
    internal static async Task<Stream> OpenAsync(IAsyncEnumerable<ReadOnlyMemory<byte>> chunks, CancellationToken cancellationToken)
    {
        var stream = new DownloadStream(chunks.GetAsyncEnumerator(cancellationToken));
        try
        {
            await stream.FetchFirstAsync().ConfigureAwait(false);
            return stream;
        }
        catch
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Fetches the first chunk, so a call that cannot start fails before the stream is handed out.</summary>
    internal async ValueTask FetchFirstAsync() => await FillAsync().ConfigureAwait(false);

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        cancellationToken.ThrowIfCancellationRequested();
        if (buffer.IsEmpty)
        {
            return 0;
        }

        while (_current.IsEmpty && !_ended)
        {
            await FillAsync().ConfigureAwait(false);
        }

        var n = Math.Min(buffer.Length, _current.Length);
        _current[..n].CopyTo(buffer);
        _current = _current[n..];
        _read += n;
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    // A synchronous read waits for the next chunk: a caller that wants no blocking uses ReadAsync.
    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var rented = new byte[buffer.Length];
        var n = ReadAsync(rented.AsMemory(), CancellationToken.None).AsTask().GetAwaiter().GetResult();
        rented.AsSpan(0, n).CopyTo(buffer);
        return n;
    }

    private async ValueTask FillAsync()
    {
        if (await chunks.MoveNextAsync().ConfigureAwait(false))
        {
            _current = chunks.Current;
        }
        else
        {
            _ended = true;
        }
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException("a download is read forward only");
    public override void SetLength(long value) => throw new NotSupportedException("a download is read-only");
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("a download is read-only");

    public override async ValueTask DisposeAsync()
    {
        if (!_disposed)
        {
            _disposed = true;
            await chunks.DisposeAsync().ConfigureAwait(false);
        }

        await base.DisposeAsync().ConfigureAwait(false);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            chunks.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        base.Dispose(disposing);
    }
}

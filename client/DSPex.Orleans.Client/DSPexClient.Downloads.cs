using DSPex.Orleans.Client.Calls;
using DSPex.Orleans.Client.Downloads;
using DSPex.Orleans.Contracts;

namespace DSPex.Orleans.Client;

/// <summary>Downloads: data past one frame, out of a command as a stream of binary chunks (docs/data.md#large-data-as-streams).</summary>
public sealed partial class DSPexClient
{
    /// <summary>
    /// Runs a generator command that yields <c>bytes</c>, <c>bytearray</c> or <c>memoryview</c> chunks and yields each
    /// chunk's bytes as the caller reads (raw binary parts, never base64). Backpressure is the stream's: Python is never
    /// more than the silos' <c>StreamWindow</c> chunks ahead of what has been read, and breaking out stops the generator
    /// within one chunk. A chunk past the frame limit ends the download with <see cref="Errors.FrameTooLargeException"/>
    /// naming the chunk; a generator that raises ends it with its typed error after the chunks before it; an item that
    /// is not bytes with <see cref="Errors.DSPexDataException"/> (ResultNotSerializable) naming the item.
    /// </summary>
    public IAsyncEnumerable<ReadOnlyMemory<byte>> DownloadChunksAsync(string command, object? args = null, ExecuteOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        var argsJson = ClientChecks.Serialize(args, _json, nameof(args), stringIsJson: false);
        // Checked now, not at the first MoveNextAsync, so a bad call fails where it is made.
        CheckRequest(command, argsJson, options);
        var request = new ExecuteRequest(command, argsJson, options?.Timeout, Tools: _tools.Get(), Pool: options?.Pool);
        return DownloadChunks.ReadAsync(StreamReads.ReadItemsAsync(Router().StreamAsync(request), cancellationToken), cancellationToken);
    }

    /// <summary>
    /// Runs a generator command as <see cref="DownloadChunksAsync"/> does and returns its chunks as a read-only,
    /// forward-only <see cref="Stream"/>, read as the caller reads. The first chunk is fetched before this returns, so a
    /// call that cannot start (unknown command, no workers) fails here; later failures surface from a read. Dispose the
    /// stream to stop the generator; a read after that is <see cref="ObjectDisposedException"/>.
    /// </summary>
    public Task<Stream> DownloadAsync(string command, object? args = null, ExecuteOptions? options = null, CancellationToken cancellationToken = default) =>
        DownloadStream.OpenAsync(DownloadChunksAsync(command, args, options, cancellationToken), cancellationToken);
}

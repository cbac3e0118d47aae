using DSPex.Orleans.Client.Errors;
using DSPex.Orleans.Client.Uploads;
using DSPex.Orleans.Contracts;

namespace DSPex.Orleans.Client;

/// <summary>Uploads: data past one frame, sent into a command as a stream of chunks (docs/data.md#large-data-as-streams).</summary>
public sealed partial class DSPexClient
{
    /// <summary>The chunk size <see cref="UploadAsync(string, Stream, object?, ExecuteOptions?, CancellationToken)"/> reads a stream in.</summary>
    public const int UploadChunkBytes = 1024 * 1024;

    /// <summary>
    /// Runs a command that reads <paramref name="chunks"/> as a stream (Python: <c>for chunk in dspex.upload()</c>, each
    /// chunk <c>bytes</c>), with <paramref name="args"/> as for <see cref="ExecuteDataAsync"/>. Chunks are read from the
    /// enumerable only as the command takes them: never more than the silos' <c>StreamWindow</c> chunks ahead of it.
    /// Each chunk must fit in one frame (the silos' MaxFrameBytes less 1 KiB; past it <see cref="FrameTooLargeException"/>).
    /// With <paramref name="declaredLength"/>, data longer or shorter than that is <see cref="InvalidArgumentsException"/>;
    /// an enumerable that throws fails the call with <see cref="InvalidArgumentsException"/> naming the chunk, one that
    /// never ends with <see cref="DeadlineExceededException"/> at the call's deadline. Not retried (the data is read once).
    /// </summary>
    public async Task<DSPexData> UploadAsync(string command, IAsyncEnumerable<ReadOnlyMemory<byte>> chunks, object? args = null, long? declaredLength = null,
        ExecuteOptions? options = null, CancellationToken cancellationToken = default)
    {
        UploadCall.Check(chunks, declaredLength);
        var request = DataRequest(command, args, options);
        return await UploadCall.RunAsync(_grainFactory, chunks, source => Router().ExecuteUploadAsync(request, source, declaredLength), cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>
    /// Runs a command that reads <paramref name="data"/> as a stream of chunks of <see cref="UploadChunkBytes"/>, as
    /// <see cref="UploadAsync(string, IAsyncEnumerable{ReadOnlyMemory{byte}}, object?, long?, ExecuteOptions?, CancellationToken)"/>
    /// does; a seekable stream declares its remaining length, so one that changes while it is read fails the call.
    /// </summary>
    public Task<DSPexData> UploadAsync(string command, Stream data, object? args = null, ExecuteOptions? options = null, CancellationToken cancellationToken = default)
    {
        ClientChecks.Present(data, nameof(data));
        long? declared = data.CanSeek ? data.Length - data.Position : null;
        var chunkBytes = Math.Min(UploadChunkBytes, _maxRequestBytes - 1024);
        return UploadAsync(command, StreamChunks.ReadAsync(data, chunkBytes, cancellationToken), args, declared, options, cancellationToken);
    }
}

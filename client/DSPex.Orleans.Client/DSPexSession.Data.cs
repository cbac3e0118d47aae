using DSPex.Orleans.Client.Calls;
using DSPex.Orleans.Client.Downloads;
using DSPex.Orleans.Client.Uploads;
using DSPex.Orleans.Contracts;

namespace DSPex.Orleans.Client;

/// <summary>A session's streams with binary parts, its uploads and its downloads (docs/data.md#in-a-session).</summary>
public sealed partial class DSPexSession
{
    /// <summary>
    /// Runs a generator command in the session and yields each item whole, its JSON with the bytes and arrays it holds
    /// as binary parts (as <see cref="DSPexClient.StreamDataAsync"/>), with the session's variables, pool and worker as
    /// <see cref="StreamRawAsync"/> runs. <paramref name="args"/> may carry parts as for <see cref="ExecuteDataAsync"/>.
    /// </summary>
    public IAsyncEnumerable<DSPexData> StreamDataAsync(string command, object? args = null, ExecuteOptions? options = null, CancellationToken cancellationToken = default) =>
        StreamData.ReadAsync(StreamReads.ReadItemsAsync(StartDataStream(command, args, options), cancellationToken), cancellationToken);

    /// <summary>
    /// Runs a generator command that yields bytes in the session (its variables, pool and worker, as
    /// <see cref="StreamRawAsync"/>) and yields each chunk as <see cref="DSPexClient.DownloadChunksAsync"/> does: the
    /// same backpressure, limits and typed errors.
    /// </summary>
    public IAsyncEnumerable<ReadOnlyMemory<byte>> DownloadChunksAsync(string command, object? args = null, ExecuteOptions? options = null,
        CancellationToken cancellationToken = default) =>
        DownloadChunks.ReadAsync(StreamReads.ReadItemsAsync(StartDataStream(command, args, options), cancellationToken), cancellationToken);

    /// <summary>
    /// Runs a generator command that yields bytes in the session and returns its chunks as a read-only, forward-only
    /// <see cref="Stream"/>, as <see cref="DSPexClient.DownloadAsync"/> does (the first chunk fetched before it returns).
    /// </summary>
    public Task<Stream> DownloadAsync(string command, object? args = null, ExecuteOptions? options = null, CancellationToken cancellationToken = default) =>
        DownloadStream.OpenAsync(DownloadChunksAsync(command, args, options, cancellationToken), cancellationToken);

    /// <summary>
    /// Runs a command that reads <paramref name="chunks"/> as a stream (<c>dspex.upload()</c>), as
    /// <see cref="DSPexClient.UploadAsync(string, IAsyncEnumerable{ReadOnlyMemory{byte}}, object?, long?, ExecuteOptions?, CancellationToken)"/>
    /// does, in the session: with its variables, in its pool, on the worker that holds its programs under its affinity
    /// mode. Sent once, never repeated (the data is read once), so it runs at most once; the variable changes the
    /// command makes are not stored (as for a session stream: set variables with a call).
    /// </summary>
    public async Task<DSPexData> UploadAsync(string command, IAsyncEnumerable<ReadOnlyMemory<byte>> chunks, object? args = null, long? declaredLength = null,
        ExecuteOptions? options = null, CancellationToken cancellationToken = default)
    {
        UploadCall.Check(chunks, declaredLength);
        var request = DataRequest(command, args, options);
        return await UploadCall.RunAsync(_grainFactory, chunks,
            source => _router().ExecuteUploadInSessionAsync(_grainKey, request, Options, source, declaredLength), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs a command that reads <paramref name="data"/> as a stream of chunks in the session, as
    /// <see cref="UploadAsync(string, IAsyncEnumerable{ReadOnlyMemory{byte}}, object?, long?, ExecuteOptions?, CancellationToken)"/>
    /// does (a seekable stream declares its remaining length, as <see cref="DSPexClient.UploadAsync(string, Stream, object?, ExecuteOptions?, CancellationToken)"/>).
    /// </summary>
    public Task<DSPexData> UploadAsync(string command, Stream data, object? args = null, ExecuteOptions? options = null, CancellationToken cancellationToken = default)
    {
        ClientChecks.Present(data, nameof(data));
        long? declared = data.CanSeek ? data.Length - data.Position : null;
        var chunkBytes = Math.Min(DSPexClient.UploadChunkBytes, _maxRequestBytes - 1024);
        return UploadAsync(command, StreamChunks.ReadAsync(data, chunkBytes, cancellationToken), args, declared, options, cancellationToken);
    }

    // Checked now, not at the first MoveNextAsync, so a bad call fails where it is made.
    private IAsyncEnumerable<StreamItem> StartDataStream(string command, object? args, ExecuteOptions? options) =>
        _router().StreamInSessionAsync(_grainKey, DataRequest(command, args, options), Options);

    /// <summary>A session request whose args may carry binary parts, checked as <see cref="ExecuteDataAsync"/> checks.</summary>
    private ExecuteRequest DataRequest(string command, object? args, ExecuteOptions? options)
    {
        var data = ClientChecks.ToData(args, _json, nameof(args));
        var parts = data.PartsArray();
        ClientChecks.Command(command, nameof(command));
        ClientChecks.Json(data.Json, _maxRequestBytes, nameof(args));
        ClientChecks.Options(options);
        ClientChecks.Parts(parts, _maxRequestBytes);
        return new ExecuteRequest(command, data.Json, options?.Timeout, Tools: _tools.Get(), Pool: options?.Pool) { ArgParts = parts };
    }
}

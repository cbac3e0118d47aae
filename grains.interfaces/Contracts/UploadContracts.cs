namespace DSPex.Orleans.Contracts;

/// <summary>
/// Where an upload's chunks come from: the client library registers this observer for one upload call
/// (<c>DSPexClient.UploadAsync</c>) and names it in the call; only the silo running that call reads it, one chunk at a
/// time and only as the Python command takes them, so never more than the window of chunks is in flight (docs/data.md).
/// </summary>
[Alias("DSPex.Orleans.Contracts.IChunkSource")]
public interface IChunkSource : IGrainObserver
{
    /// <summary>Chunk <paramref name="index"/> (0, 1, 2, ... in order), or the end of the data.</summary>
    [Alias("ReadChunk")]
    Task<UploadChunk> ReadAsync(int index);
}

/// <summary>One chunk of an upload's bytes, or (<see cref="End"/>) the end of them.</summary>
[GenerateSerializer, Immutable, Alias("DSPex.Orleans.Contracts.UploadChunk")]
public sealed record UploadChunk(
    [property: Id(0)] ReadOnlyMemory<byte> Data,
    [property: Id(1)] bool End)
{
    /// <summary>The end of the data: no more chunks.</summary>
    public static UploadChunk Last { get; } = new(ReadOnlyMemory<byte>.Empty, true);
}

using DSPex.Orleans.Contracts;
using DSPex.Orleans.Client.Errors;

namespace DSPex.Orleans.Client.Downloads;

/// <summary>What a download's stream item must be: one chunk of bytes, {"$bytes": 0} with its one binary part.</summary>
internal static class DownloadChunks
{
    /// <summary>The JSON Python writes for an item that is bytes, bytearray or memoryview (dspex.binary, compact).</summary>
    private const string OneBytesPart = "{\"$bytes\":0}";

    /// <summary>The chunk's bytes, or a typed error naming the item when the generator yielded something else.</summary>
    public static ReadOnlyMemory<byte> Bytes(StreamItem item, int index)
    {
        if (item.ItemParts is { Length: 1 } parts && item.ItemJson == OneBytesPart)
        {
            return parts[0];
        }

        var json = item.ItemJson ?? "";
        var shown = json.Length > 80 ? json[..80] + "..." : json;
        throw new DSPexDataException(DSPexErrorKind.ResultNotSerializable,
            $"stream item {index} is not a chunk of bytes (a download's generator yields bytes, bytearray or memoryview): it is {shown}");
    }

    /// <summary>Each item of a download's stream as its chunk's bytes (<see cref="Bytes"/>).</summary>
    public static async IAsyncEnumerable<ReadOnlyMemory<byte>> ReadAsync(IAsyncEnumerable<StreamItem> items,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var index = 0;
        await foreach (var item in items.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            yield return Bytes(item, index++);
        }
    }
}

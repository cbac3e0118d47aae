using DSPex.Orleans.Client.Downloads;
using DSPex.Orleans.Client.Errors;
using DSPex.Orleans.Contracts;

namespace DSPex.Orleans.UnitTests.Data;

/// <summary>
/// The client side of a download: a stream item is a chunk only when it is one bytes part ({"$bytes":0}), anything else
/// a DSPexDataException naming the item; the Stream reads chunks as the caller reads, across chunk boundaries, fetches
/// the next chunk only when the one before is used up, and refuses reads once disposed (disposing its chunks).
/// </summary>
[Trait("Category", "Unit")]
public sealed class DownloadStreamTests
{
    [Fact]
    public void An_item_of_one_bytes_part_is_a_chunk()
    {
        var item = new StreamItem("""{"$bytes":0}""", null) { ItemParts = [new byte[] { 1, 2, 3 }] };
        Assert.Equal([1, 2, 3], DownloadChunks.Bytes(item, 0).ToArray());
    }

    [Theory]
    [InlineData("""{"i":1}""", 0)]
    [InlineData("""{"$bytes":0}""", 2)]
    [InlineData("""[{"$bytes":0}]""", 1)]
    public void Anything_else_is_a_typed_error_naming_the_item(string json, int parts)
    {
        var item = new StreamItem(json, null) { ItemParts = parts == 0 ? null : [.. Enumerable.Repeat(new ReadOnlyMemory<byte>([9]), parts)] };
        var error = Assert.Throws<DSPexDataException>(() => DownloadChunks.Bytes(item, 4));
        Assert.Equal(DSPexErrorKind.ResultNotSerializable, error.Kind);
        Assert.Contains("stream item 4 is not a chunk of bytes", error.Message);
    }

    [Fact]
    public async Task Reads_cross_chunk_boundaries_and_fetch_each_chunk_only_when_needed()
    {
        var chunks = new CountingChunks([[1, 2, 3], [], [4], [5, 6]]);
        await using var stream = new DownloadStream(chunks);
        var buffer = new byte[2];

        Assert.Equal(2, await stream.ReadAsync(buffer));
        Assert.Equal([1, 2], buffer);
        Assert.Equal(1, chunks.Fetched);
        Assert.Equal(1, await stream.ReadAsync(buffer));
        Assert.Equal(3, buffer[0]);
        Assert.Equal(1, chunks.Fetched);
        Assert.Equal(1, stream.Read(buffer, 0, 2));
        Assert.Equal(4, buffer[0]);
        Assert.Equal(3, chunks.Fetched);
        Assert.Equal([5, 6], new[] { (byte)stream.ReadByte(), (byte)stream.ReadByte() });
        Assert.Equal(0, await stream.ReadAsync(buffer));
        Assert.Equal(6, stream.Position);
        Assert.False(stream.CanSeek);
    }

    [Fact]
    public async Task A_disposed_stream_refuses_reads_and_disposes_its_chunks()
    {
        var chunks = new CountingChunks([[1, 2, 3]]);
        var stream = new DownloadStream(chunks);
        Assert.Equal(1, stream.ReadByte());

        stream.Dispose();

        Assert.True(chunks.Disposed);
        Assert.False(stream.CanRead);
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await stream.ReadExactlyAsync(new byte[1]));
        Assert.Throws<ObjectDisposedException>(() => stream.ReadByte());
    }

    private sealed class CountingChunks(byte[][] chunks) : IAsyncEnumerator<ReadOnlyMemory<byte>>
    {
        public int Fetched { get; private set; }

        public bool Disposed { get; private set; }

        public ReadOnlyMemory<byte> Current => chunks[Fetched - 1];

        public ValueTask<bool> MoveNextAsync()
        {
            if (Fetched == chunks.Length)
            {
                return ValueTask.FromResult(false);
            }

            Fetched++;
            return ValueTask.FromResult(true);
        }

        public ValueTask DisposeAsync()
        {
            Disposed = true;
            return ValueTask.CompletedTask;
        }
    }
}

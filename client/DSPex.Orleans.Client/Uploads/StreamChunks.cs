namespace DSPex.Orleans.Client.Uploads;

/// <summary>A <see cref="Stream"/> read as chunks of at most a given size, each in its own buffer (Orleans sends it after the read returns).</summary>
internal static class StreamChunks
{
    public static async IAsyncEnumerable<ReadOnlyMemory<byte>> ReadAsync(Stream stream, int chunkBytes,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var buffer = new byte[chunkBytes];
            var filled = await stream.ReadAtLeastAsync(buffer, chunkBytes, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
            if (filled == 0)
            {
                yield break;
            }

            yield return buffer.AsMemory(0, filled);
            if (filled < chunkBytes)
            {
                yield break;
            }
        }
    }
}

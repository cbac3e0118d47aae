namespace DSPex.Orleans.Tests.Infrastructure;

/// <summary>The bytes the test adapter's download_chunks command yields: chunk i's byte j is (i * 7 + j) % 256.</summary>
internal static class DownloadPattern
{
    public static byte[] Chunk(int index, int size)
    {
        var chunk = new byte[size];
        for (var j = 0; j < size; j++)
        {
            chunk[j] = (byte)((index * 7 + j) % 256);
        }

        return chunk;
    }

    public static byte[] Chunks(int count, int size) => [.. Enumerable.Range(0, count).SelectMany(i => Chunk(i, size))];
}

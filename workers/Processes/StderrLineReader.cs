using System.Text;

namespace DSPex.Orleans.Workers.Processes;

/// <summary>
/// Reads a worker's stderr as lines of bounded length: a line past <see cref="MaxLineBytes"/> keeps its start and
/// says how much was dropped, so a process writing one endless line costs the silo a fixed amount of memory.
/// </summary>
internal static class StderrLineReader
{
    public const int MaxLineBytes = 8 * 1024;

    /// <summary>Calls <paramref name="onLine"/> for each line until the stream ends or fails.</summary>
    public static async Task ReadLinesAsync(Stream stream, Action<string> onLine)
    {
        var line = new byte[MaxLineBytes];
        var chunk = new byte[16 * 1024];
        var length = 0;
        long dropped = 0;
        try
        {
            int read;
            while ((read = await stream.ReadAsync(chunk).ConfigureAwait(false)) > 0)
            {
                var rest = chunk.AsSpan(0, read);
                while (!rest.IsEmpty)
                {
                    var newline = rest.IndexOf((byte)'\n');
                    var part = newline < 0 ? rest : rest[..newline];
                    var kept = Math.Min(part.Length, MaxLineBytes - length);
                    part[..kept].CopyTo(line.AsSpan(length));
                    length += kept;
                    dropped += part.Length - kept;
                    if (newline < 0)
                    {
                        break;
                    }

                    onLine(Text(line.AsSpan(0, length), dropped));
                    (length, dropped) = (0, 0);
                    rest = rest[(newline + 1)..];
                }
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
        }

        if (length > 0 || dropped > 0)
        {
            onLine(Text(line.AsSpan(0, length), dropped));
        }
    }

    private static string Text(ReadOnlySpan<byte> bytes, long dropped)
    {
        if (!bytes.IsEmpty && bytes[^1] == (byte)'\r')
        {
            bytes = bytes[..^1];
        }

        var text = Encoding.UTF8.GetString(bytes);
        return dropped == 0 ? text : $"{text}… (line truncated: {dropped} more bytes dropped)";
    }
}

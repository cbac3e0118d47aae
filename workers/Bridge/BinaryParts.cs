using System.Buffers;

namespace DSPex.Orleans.Workers.Bridge;

/// <summary>
/// The binary parts of a frame (grains/Python/dspex/protocol.json "binary_parts"): after an envelope that lists their
/// lengths in "parts", one 0x00 byte (UTF-8 JSON never holds one) and the parts back to back. The frame's length prefix
/// counts all of it, so a part whose declared length lies is found here, inside one frame, and the stream stays in step.
/// </summary>
internal static class BinaryParts
{
    /// <summary>The byte after the envelope when parts follow it.</summary>
    public const byte Separator = 0;

    /// <summary>Bytes the parts add to a frame: the separator and the parts; 0 for none.</summary>
    public static long Size(ReadOnlyMemory<byte>[]? parts)
    {
        if (parts is not { Length: > 0 })
        {
            return 0;
        }

        long size = 1;
        foreach (var part in parts)
        {
            size += part.Length;
        }

        return size;
    }

    /// <summary>Writes the separator and the parts after an envelope.</summary>
    public static void Append(IBufferWriter<byte> buffer, ReadOnlyMemory<byte>[] parts)
    {
        buffer.GetSpan(1)[0] = Separator;
        buffer.Advance(1);
        foreach (var part in parts)
        {
            buffer.Write(part.Span);
        }
    }

    /// <summary>Splits a frame's body into its envelope and what follows the separator (<paramref name="hasParts"/> false when there is none).</summary>
    public static ReadOnlySpan<byte> Envelope(ReadOnlySpan<byte> body, out ReadOnlySpan<byte> region, out bool hasParts)
    {
        var at = body.IndexOf(Separator);
        hasParts = at >= 0;
        region = hasParts ? body[(at + 1)..] : default;
        return hasParts ? body[..at] : body;
    }

    /// <summary>
    /// Copies the declared parts out of <paramref name="region"/> (the frame's buffer is reused), or says which part's
    /// declared length does not add up. No lengths and no region: no parts.
    /// </summary>
    public static ReadOnlyMemory<byte>[]? Cut(List<int>? lengths, ReadOnlySpan<byte> region, bool hasParts, out string? problem)
    {
        problem = null;
        lengths ??= [];
        if (!hasParts)
        {
            if (lengths.Count > 0)
            {
                problem = $"it declares {lengths.Count} binary part(s) but the frame carries no parts after the envelope";
            }

            return null;
        }

        long running = 0;
        for (var i = 0; i < lengths.Count; i++)
        {
            if (running + lengths[i] > region.Length)
            {
                problem = $"part {i} declares {lengths[i]} bytes but only {region.Length - running} remain in the frame";
                return null;
            }

            running += lengths[i];
        }

        if (running != region.Length)
        {
            problem = $"its parts declare {running} bytes but the frame carries {region.Length} after the envelope";
            return null;
        }

        var parts = new ReadOnlyMemory<byte>[lengths.Count];
        var at = 0;
        for (var i = 0; i < lengths.Count; i++)
        {
            parts[i] = region.Slice(at, lengths[i]).ToArray();
            at += lengths[i];
        }

        return parts;
    }
}

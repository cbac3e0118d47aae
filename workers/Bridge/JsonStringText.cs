using System.Text;

namespace DSPex.Orleans.Workers.Bridge;

/// <summary>
/// Decodes a JSON string token's raw bytes without ever throwing: invalid UTF-8, broken escapes and escaped lone
/// UTF-16 surrogates (which <c>Utf8JsonReader.GetString</c> refuses) become U+FFFD. Used for the text of error
/// messages, which must reach the caller even when the Python text they came from was not valid Unicode.
/// </summary>
internal static class JsonStringText
{
    private const char Replacement = '\uFFFD';

    public static string Decode(ReadOnlySpan<byte> raw)
    {
        var text = new StringBuilder(raw.Length);
        while (!raw.IsEmpty)
        {
            var escape = raw.IndexOf((byte)'\\');
            text.Append(Encoding.UTF8.GetString(escape < 0 ? raw : raw[..escape]));
            if (escape < 0)
            {
                break;
            }

            raw = raw[escape..];
            raw = raw[AppendEscape(raw, text)..];
        }

        return WithoutLoneSurrogates(text);
    }

    /// <summary>Appends the escape at the start of <paramref name="raw"/> and returns how many bytes it took.</summary>
    private static int AppendEscape(ReadOnlySpan<byte> raw, StringBuilder text)
    {
        if (raw.Length < 2)
        {
            text.Append(Replacement);
            return raw.Length;
        }

        switch (raw[1])
        {
            case (byte)'"': text.Append('"'); return 2;
            case (byte)'\\': text.Append('\\'); return 2;
            case (byte)'/': text.Append('/'); return 2;
            case (byte)'b': text.Append('\b'); return 2;
            case (byte)'f': text.Append('\f'); return 2;
            case (byte)'n': text.Append('\n'); return 2;
            case (byte)'r': text.Append('\r'); return 2;
            case (byte)'t': text.Append('\t'); return 2;
            case (byte)'u' when raw.Length >= 6 && TryParseHex(raw[2..6], out var code):
                text.Append((char)code);
                return 6;
            default:
                text.Append(Replacement);
                return 2;
        }
    }

    private static bool TryParseHex(ReadOnlySpan<byte> digits, out int code)
    {
        code = 0;
        foreach (var digit in digits)
        {
            var value = digit switch
            {
                >= (byte)'0' and <= (byte)'9' => digit - '0',
                >= (byte)'a' and <= (byte)'f' => digit - 'a' + 10,
                >= (byte)'A' and <= (byte)'F' => digit - 'A' + 10,
                _ => -1,
            };
            if (value < 0)
            {
                return false;
            }

            code = (code << 4) | value;
        }

        return true;
    }

    private static string WithoutLoneSurrogates(StringBuilder text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                text[i] = Replacement;
            }
        }

        return text.ToString();
    }
}

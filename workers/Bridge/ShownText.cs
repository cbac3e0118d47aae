using System.Text;

namespace DSPex.Orleans.Workers.Bridge;

/// <summary>
/// The one way text that a caller or a worker chose (a command, tool or session name, a scope naming one, a
/// credential's key) is shown in a log line, a trace tag or an error message: at most <see cref="MaxChars"/>
/// characters of it, then the full length; control characters, line and paragraph separators, format characters
/// (bidi overrides such as U+202E, zero-width characters) and lone surrogates written as escapes (\n, \r, \t,
/// \uXXXX, \U000XXXXX). So one input can neither grow a log line or an error without bound, nor start a forged log
/// line, nor change how the rest of a line reads.
/// </summary>
internal static class ShownText
{
    /// <summary>How much of a name is shown: longer than any valid command, tool, pool or session name.</summary>
    public const int MaxChars = 300;

    /// <summary>The text as it may be shown; "(null)" for null.</summary>
    public static string Of(string? text, int maxChars = MaxChars)
    {
        if (text is null)
        {
            return "(null)";
        }

        if (text.Length <= maxChars && IsPlain(text))
        {
            return text;
        }

        var shown = new StringBuilder(Math.Min(text.Length, maxChars) + 24);
        var index = 0;
        while (index < text.Length && index < maxChars)
        {
            if (Rune.DecodeFromUtf16(text.AsSpan(index), out var rune, out var used) != System.Buffers.OperationStatus.Done)
            {
                shown.Append($"\\u{(int)text[index]:X4}"); // a lone surrogate
                index++;
                continue;
            }

            AppendShown(shown, rune);
            index += used;
        }

        if (index < text.Length)
        {
            shown.Append($"…({text.Length} chars)");
        }

        return shown.ToString();
    }

    private static bool IsPlain(string text)
    {
        foreach (var c in text)
        {
            // Printable ASCII is the common case; anything else goes the careful way.
            if (c is < ' ' or > '~')
            {
                return false;
            }
        }

        return true;
    }

    private static void AppendShown(StringBuilder shown, Rune rune)
    {
        switch (rune.Value)
        {
            case '\n':
                shown.Append("\\n");
                return;
            case '\r':
                shown.Append("\\r");
                return;
            case '\t':
                shown.Append("\\t");
                return;
        }

        switch (Rune.GetUnicodeCategory(rune))
        {
            case System.Globalization.UnicodeCategory.Control:
            case System.Globalization.UnicodeCategory.Format:
            case System.Globalization.UnicodeCategory.LineSeparator:
            case System.Globalization.UnicodeCategory.ParagraphSeparator:
                shown.Append(rune.IsBmp ? $"\\u{rune.Value:X4}" : $"\\U{rune.Value:X8}");
                return;
            default:
                shown.Append(rune.ToString());
                return;
        }
    }
}

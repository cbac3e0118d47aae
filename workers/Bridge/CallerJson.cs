using System.Text.Json;

namespace DSPex.Orleans.Workers.Bridge;

/// <summary>
/// Checks caller-supplied JSON before it is embedded raw in a frame: exactly one well-formed value (so no caller text
/// can add envelope fields), nested no deeper than the protocol allows, and with no escaped lone UTF-16 surrogate
/// (Python reads those, but cannot write them back as UTF-8).
/// </summary>
internal static class CallerJson
{
    private static readonly JsonReaderOptions Options = new() { MaxDepth = ProtocolLimits.MaxValueDepth + 1 };

    /// <summary>
    /// Throws <see cref="InvalidCallInputException"/> naming <paramref name="what"/> and the problem. A value that will
    /// sit inside another caller value (a session variable inside the variables object) passes a smaller
    /// <paramref name="maxDepth"/>, so the value it ends up in is still within the protocol's depth. With
    /// <paramref name="readableByPython"/>, an integer with more digits than Python reads
    /// (<see cref="ProtocolLimits.MaxIntegerDigits"/>) is refused too: for values Python gets on every later call (a
    /// session's variables, a program's spec) or whose failure it could not tie to its call (a tool's result).
    /// </summary>
    public static void Check(ReadOnlySpan<byte> utf8, string what, bool mustBeObject, int maxDepth = ProtocolLimits.MaxValueDepth,
        bool readableByPython = false)
    {
        var reader = new Utf8JsonReader(utf8, Options);
        try
        {
            if (!reader.Read())
            {
                throw new InvalidCallInputException($"{what} is empty, not a JSON value");
            }

            if (mustBeObject && reader.TokenType != JsonTokenType.StartObject)
            {
                throw new InvalidCallInputException($"{what} must be a JSON object, not {reader.TokenType}");
            }

            do
            {
                CheckToken(ref reader, what, maxDepth, readableByPython);
            }
            while (reader.Read());
        }
        catch (JsonException e)
        {
            throw new InvalidCallInputException($"{what} is not one valid JSON value: {e.Message}");
        }
    }

    private static void CheckToken(ref Utf8JsonReader reader, string what, int maxDepth, bool readableByPython)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Number when readableByPython && IntegerDigits(reader.ValueSpan) > ProtocolLimits.MaxIntegerDigits:
                throw new InvalidCallInputException(
                    $"{what} holds an integer of {IntegerDigits(reader.ValueSpan)} digits (at byte {reader.TokenStartIndex}), past Python's limit of {ProtocolLimits.MaxIntegerDigits} digits for reading an integer");
            case JsonTokenType.StartObject or JsonTokenType.StartArray when reader.CurrentDepth >= maxDepth:
                throw new InvalidCallInputException(
                    $"{what} nests deeper than the protocol limit of {maxDepth} levels (at byte {reader.TokenStartIndex})");
            case JsonTokenType.String or JsonTokenType.PropertyName when reader.ValueIsEscaped:
                try
                {
                    reader.GetString();
                }
                catch (InvalidOperationException)
                {
                    throw new InvalidCallInputException(
                        $"{what} holds a string with an escaped lone UTF-16 surrogate (at byte {reader.TokenStartIndex}), which is not Unicode text");
                }

                break;
        }
    }

    /// <summary>The digits of a JSON number Python reads as an int (no fraction, no exponent; its sign not counted), else 0.</summary>
    private static int IntegerDigits(ReadOnlySpan<byte> number)
    {
        if (number.Length <= ProtocolLimits.MaxIntegerDigits || number.IndexOfAny((byte)'.', (byte)'e', (byte)'E') >= 0)
        {
            return 0;
        }

        return number[0] == (byte)'-' ? number.Length - 1 : number.Length;
    }

    /// <summary>Throws when <paramref name="text"/> holds a lone UTF-16 surrogate, which UTF-8 cannot encode.</summary>
    public static void CheckText(string text, string what)
    {
        var span = text.AsSpan();
        var at = span.IndexOfAnyInRange('\uD800', '\uDFFF');
        while (at >= 0)
        {
            if (!char.IsHighSurrogate(span[at]) || at + 1 >= span.Length || !char.IsLowSurrogate(span[at + 1]))
            {
                throw new InvalidCallInputException($"{what} holds a lone UTF-16 surrogate at character {text.Length - span.Length + at}, which is not Unicode text");
            }

            span = span[(at + 2)..];
            at = span.IndexOfAnyInRange('\uD800', '\uDFFF');
        }
    }
}

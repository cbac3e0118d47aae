using System.Globalization;
using System.Text;
using CsCheck;
using DSPex.Orleans.Contracts;

namespace DSPex.Orleans.Tests.Robustness;

/// <summary>
/// Generated argument JSON around every limit: nesting near <see cref="RequestLimits.MaxJsonDepth"/>, integers past
/// what Python or a double holds, strings of any UTF-16 units (lone surrogates raw and escaped), sizes around the
/// frame limit, and broken text. Each case carries the class it was drawn from, so failures can be grouped.
/// </summary>
public static class ArgumentJsonGen
{
    public sealed record JsonCase(string Class, string Json)
    {
        public override string ToString() => $"{Class}: {(Json.Length > 200 ? Json[..200] + $"… ({Json.Length} chars)" : Json)}";
    }

    private static readonly Gen<string> Digits = Gen.Int[1, 6000].SelectMany(n => Gen.Char['0', '9'].Array[n]).Select(d => "1" + new string(d));

    private static readonly Gen<(string Class, string Json)> Number = Gen.OneOf(
        Gen.Long.Select(n => ("long", n.ToString(CultureInfo.InvariantCulture))),
        Gen.Double.Where(double.IsFinite).Select(d => ("double", d.ToString("R", CultureInfo.InvariantCulture))),
        Gen.Int[300, 400].Select(e => ("past double", $"1e{e}")),
        Digits.Select(d => (d.Length > 4300 ? "int past Python's digit limit" : "long int", d)),
        Digits.Select(d => ("negative long int", "-" + d)));

    // Any UTF-16 unit, lone surrogates included; as raw text in the C# string or as a \u escape in the JSON.
    private static readonly Gen<(string Class, string Json)> Text = Gen.Bool.SelectMany(escaped =>
        Gen.Char.Array[0, 40].Select(chars => (Class(chars, escaped), Quote(chars, escaped))));

    private static readonly Gen<(string Class, string Json)> Scalar = Gen.OneOf(
        Gen.OneOf(("literal", "null"), ("literal", "true"), ("literal", "false")),
        Number,
        Text);

    private static readonly Gen<(string Class, string Json)> Nested = Gen.Frequency(
            (3, Gen.Int[0, 8]), (2, Gen.Int[RequestLimits.MaxJsonDepth - 3, RequestLimits.MaxJsonDepth + 3]))
        .SelectMany(depth => Gen.Bool.SelectMany(objects => Scalar.Select(inner =>
            ($"depth {depth} ({inner.Class})", Wrap(inner.Json, depth, objects)))));

    private static readonly Gen<(string Class, string Json)> Many =
        Scalar.Array[0, 12].Select(items => ("array of scalars", "[" + string.Join(",", items.Select(i => i.Json)) + "]"));

    private static Gen<(string Class, string Json)> Sized(int frameBytes) =>
        Gen.Int[-300, 300].SelectMany(delta => Gen.Bool.Select(escapes =>
        {
            var length = Math.Max(2, frameBytes + delta);
            // Escapes cost 6 bytes of JSON each and grow the reply Python writes back.
            return escapes
                ? ($"escape-heavy string near the frame limit ({delta:+#;-#;0})", "\"" + string.Concat(Enumerable.Repeat("\\u0001", length / 6)) + "\"")
                : ($"string near the frame limit ({delta:+#;-#;0})", "\"" + new string('a', length - 2) + "\"");
        }));

    private static Gen<(string Class, string Json)> Broken(Gen<(string Class, string Json)> valid) =>
        valid.SelectMany(v => Gen.Int[0, Math.Max(0, v.Json.Length)].SelectMany(cut => Gen.Char.Select(c =>
            ($"broken {v.Class}", v.Json[..cut] + c))));

    public static Gen<JsonCase> For(int frameBytes) =>
        Gen.Frequency(
                (4, Scalar), (4, Nested), (2, Many), (1, Sized(frameBytes)), (2, Broken(Gen.OneOf(Scalar, Nested, Many))))
            .Select(c => new JsonCase(c.Class, c.Json));

    private static string Wrap(string inner, int depth, bool objects)
    {
        var text = new StringBuilder(inner.Length + (depth * 6));
        for (var i = 0; i < depth; i++)
        {
            text.Append(objects ? "{\"k\":" : "[");
        }

        text.Append(inner);
        for (var i = 0; i < depth; i++)
        {
            text.Append(objects ? '}' : ']');
        }

        return text.ToString();
    }

    private static string Class(char[] chars, bool escaped)
    {
        var lone = false;
        for (var i = 0; i < chars.Length; i++)
        {
            if (char.IsHighSurrogate(chars[i]) && i + 1 < chars.Length && char.IsLowSurrogate(chars[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(chars[i]))
            {
                lone = true;
            }
        }

        return lone ? (escaped ? "escaped lone surrogate" : "raw lone surrogate") : "string";
    }

    private static string Quote(char[] chars, bool escaped)
    {
        var text = new StringBuilder("\"");
        foreach (var c in chars)
        {
            if (c is '"' or '\\' || c < ' ' || (escaped && (char.IsSurrogate(c) || c > '~')))
            {
                text.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
            }
            else
            {
                text.Append(c);
            }
        }

        return text.Append('"').ToString();
    }
}

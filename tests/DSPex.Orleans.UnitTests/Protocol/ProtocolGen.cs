using System.Globalization;
using System.Text;
using CsCheck;

namespace DSPex.Orleans.UnitTests.Protocol;

/// <summary>Generators of JSON text and frames, well-formed and not, for the protocol's property tests.</summary>
internal static class ProtocolGen
{
    /// <summary>The seed to replay: DSPEX_TEST_SEED (else CsCheck's own CsCheck_Seed, else a fresh one).</summary>
    public static string? Seed => Environment.GetEnvironmentVariable("DSPEX_TEST_SEED");

    /// <summary>A string token's text: any code points, with escapes, non-BMP pairs and escaped lone surrogates.</summary>
    public static readonly Gen<string> StringToken = Gen.OneOf(
        Gen.Char['a', 'z'].Array[0, 12].Select(c => new string(c)),
        Gen.Const(@"\ud800"), Gen.Const(@"\udfff x"), Gen.Const(@"\ud83d\ude00"), Gen.Const(@"\ud800\ud800"),
        Gen.Const("\\n\\t\\\""), Gen.Const(@"\u00e9"), Gen.Const("é😀"),
        Gen.Char.Array[0, 8].Select(c => JsonEncode(new string(c))))
        .Array[1, 4].Select(parts => "\"" + string.Concat(parts) + "\"");

    /// <summary>A string token that is not JSON: a broken escape.</summary>
    public static readonly Gen<string> BrokenStringToken = Gen.OneOf(Gen.Const(@"""\x"""), Gen.Const(@"""\u12"""), Gen.Const(@"""a\"""));

    public static readonly Gen<string> Number = Gen.OneOf(
        Gen.Long.Select(n => n.ToString(CultureInfo.InvariantCulture)),
        Gen.Double.Select(d => double.IsFinite(d) ? d.ToString("R", CultureInfo.InvariantCulture) : "0"),
        Gen.Const("1e30"), Gen.Const("1.5"), Gen.Const("-0"), Gen.Const("1e400"), Gen.Const("99999999999999999999"),
        Gen.Const("2147483648"), Gen.Const("-9223372036854775809"), Gen.Const(new string('9', 4301)));

    public static readonly Gen<string> Scalar = Gen.OneOf(
        Gen.Const("null"), Gen.Const("true"), Gen.Const("false"), Number, StringToken);

    /// <summary>Any well-formed JSON value, nested up to <paramref name="depth"/> levels (plus a deep one now and then).</summary>
    public static Gen<string> Json(int depth) => depth == 0
        ? Scalar
        : Gen.Frequency(
            (4, Scalar),
            (2, Json(depth - 1).Array[0, 4].Select(items => "[" + string.Join(",", items) + "]")),
            (2, Gen.Select(StringToken, Json(depth - 1)).Array[0, 4]
                .Select(fields => "{" + string.Join(",", fields.Select(f => f.Item1 + ":" + f.Item2)) + "}")),
            (1, Gen.Int[60, 70].Select(Nested)));

    /// <summary>An array nested exactly <paramref name="levels"/> deep.</summary>
    public static string Nested(int levels) => new string('[', levels) + new string(']', levels);

    private static readonly string[] FieldNames =
        ["id", "type", "result", "item", "session", "error", "message", "pid", "pgid", "commands", "traceback", "protocol", "extra"];

    private static readonly Gen<string> FrameType = Gen.OneOf(
        Gen.Const("\"result\""), Gen.Const("\"error\""), Gen.Const("\"item\""), Gen.Const("\"ready\""), Gen.Const("\"heartbeat\""),
        Gen.Const("\"fatal\""), Gen.Const("\"protocol_error\""), Gen.Const("\"r\\u0065sult\""), Gen.Const("\"other\""));

    private static readonly Gen<string> ErrorObject = Gen.Select(StringToken, StringToken, Json(2))
        .Select((message, type, other) => $$"""{"kind":"PythonException","type":{{type}},"message":{{message}},"traceback":{{other}}}""");

    /// <summary>A field value: mostly of the type the field should have, sometimes anything.</summary>
    private static Gen<string> FieldValue(string name) => Gen.Frequency((3, name switch
    {
        "id" or "pid" or "pgid" => Number,
        "type" => FrameType,
        "error" => ErrorObject,
        "session" => Gen.Const("""{"set":{"a":1},"deleted":["b"]}"""),
        "commands" => StringToken.Array[0, 3].Select(s => "[" + string.Join(",", s) + "]"),
        "message" or "traceback" => Gen.Frequency((5, StringToken), (1, BrokenStringToken)),
        _ => Json(3),
    }), (1, Json(2)));

    /// <summary>An envelope of random fields, each usually of its expected type.</summary>
    public static readonly Gen<string> Envelope =
        Gen.OneOf(FieldNames.Select(name => FieldValue(name).Select(value => $"\"{name}\":{value}")).ToArray())
            .Array[0, 7].Select(fields => "{" + string.Join(",", fields) + "}");

    /// <summary>Bytes cut short, with a byte changed or inserted, or wholly random.</summary>
    public static Gen<byte[]> Mutated(Gen<string> text) => Gen.Select(text, Gen.Int[0, 4], Gen.Int, Gen.Byte).Select((t, how, at, b) =>
    {
        var bytes = Encoding.UTF8.GetBytes(t);
        var i = bytes.Length == 0 ? 0 : (int)((uint)at % (uint)bytes.Length);
        return how switch
        {
            0 => bytes[..i],
            1 when bytes.Length > 0 => [.. bytes[..i], b, .. bytes[(i + 1)..]],
            2 => [.. bytes[..i], b, .. bytes[i..]],
            3 => [.. bytes, .. " x"u8],
            _ => bytes,
        };
    });

    private static string JsonEncode(string text) => System.Text.Json.JsonSerializer.Serialize(text)[1..^1];
}

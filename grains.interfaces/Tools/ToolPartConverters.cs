using System.Text.Json;
using System.Text.Json.Serialization;

namespace DSPex.Orleans.Tools;

/// <summary>
/// Binary members of a tool's argument record and result (<see cref="ReadOnlyMemory{T}"/> of bytes, <c>byte[]</c>) as
/// binary parts of the tool frames (protocol.json "binary_parts"): Python's bytes arrive raw, never base64. The parts
/// of the call being read, or the result being written, are the calling thread's (<see cref="Current"/>, set around
/// one synchronous serialiser call by <see cref="DSPexTool"/>), so one options instance serves every call.
/// </summary>
/// <remarks>
/// A base64 string is still read as before (a caller that encodes by hand keeps working); a binary value is always
/// written as a part. The client's DSPexData converters are the same wire for calls; these live beside the tools,
/// which the silo (no client assembly) registers too.
/// </remarks>
internal static class ToolPartConverters
{
    [ThreadStatic]
    private static List<ReadOnlyMemory<byte>>? t_current;

    public static List<ReadOnlyMemory<byte>>? Current
    {
        get => t_current;
        set => t_current = value;
    }

    /// <summary>Runs <paramref name="run"/> with <paramref name="parts"/> as the parts its converters read and add to.</summary>
    public static T With<T>(List<ReadOnlyMemory<byte>> parts, Func<T> run)
    {
        var outer = t_current;
        t_current = parts;
        try
        {
            return run();
        }
        finally
        {
            t_current = outer;
        }
    }

    /// <summary>Adds the converters in front of <paramref name="options"/>' own (not yet read-only).</summary>
    public static void AddTo(JsonSerializerOptions options)
    {
        options.Converters.Insert(0, new MemoryConverter());
        options.Converters.Insert(0, new ArrayConverter());
    }

    private static ReadOnlyMemory<byte> Read(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            return reader.GetBytesFromBase64(); // a JsonException when it is not base64
        }

        Expect(reader.TokenType == JsonTokenType.StartObject, "a binary value is neither a {\"$bytes\": i} reference nor a base64 string");
        Expect(reader.Read() && reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals("$bytes"u8), "a binary value is not a {\"$bytes\": i} reference");
        var index = -1;
        Expect(reader.Read() && reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out index), "$bytes is not a part number");
        Expect(reader.Read() && reader.TokenType == JsonTokenType.EndObject, "a {\"$bytes\": i} reference holds more than $bytes");
        var parts = t_current;
        var count = parts?.Count ?? 0;
        Expect(parts is not null && index >= 0 && index < count, $"a value refers to part {index}, which the tool call does not carry (it has {count})");
        return parts![index];
    }

    private static void Write(Utf8JsonWriter writer, ReadOnlyMemory<byte> data)
    {
        var parts = t_current ?? throw new InvalidOperationException("a tool's binary values are written by DSPexTool");
        parts.Add(data);
        writer.WriteStartObject();
        writer.WriteNumber("$bytes"u8, parts.Count - 1);
        writer.WriteEndObject();
    }

    private static void Expect(bool condition, string problem)
    {
        if (!condition)
        {
            throw new JsonException(problem);
        }
    }

    private sealed class MemoryConverter : JsonConverter<ReadOnlyMemory<byte>>
    {
        public override ReadOnlyMemory<byte> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => ToolPartConverters.Read(ref reader);

        public override void Write(Utf8JsonWriter writer, ReadOnlyMemory<byte> value, JsonSerializerOptions options) => ToolPartConverters.Write(writer, value);
    }

    private sealed class ArrayConverter : JsonConverter<byte[]>
    {
        public override byte[] Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => ToolPartConverters.Read(ref reader).ToArray();

        public override void Write(Utf8JsonWriter writer, byte[] value, JsonSerializerOptions options) => ToolPartConverters.Write(writer, value);
    }
}

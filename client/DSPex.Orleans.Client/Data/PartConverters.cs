using System.Text.Json;
using System.Text.Json.Serialization;
using DSPex.Orleans.Client.Errors;
using DSPex.Orleans.Contracts;

namespace DSPex.Orleans.Client;

/// <summary>
/// System.Text.Json converters between binary values and part references (protocol.json "binary_parts"). The parts of
/// the value being written or read are the calling thread's (<see cref="Current"/>, set by <see cref="DSPexData"/>
/// around one synchronous serialiser call), so the options, and their converters, are shared.
/// </summary>
internal static class PartConverters
{
    [ThreadStatic]
    private static IReadOnlyList<ReadOnlyMemory<byte>>? t_current;

    public static IReadOnlyList<ReadOnlyMemory<byte>>? Current
    {
        get => t_current;
        set => t_current = value;
    }

    private static IReadOnlyList<ReadOnlyMemory<byte>> Parts =>
        t_current ?? throw new InvalidOperationException("binary values are written and read through DSPexData");

    private static int Add(ReadOnlyMemory<byte> data)
    {
        if (Parts is not List<ReadOnlyMemory<byte>> list)
        {
            throw new InvalidOperationException("parts are added only while DSPexData.From writes a value");
        }

        list.Add(data);
        return list.Count - 1;
    }

    private static ReadOnlyMemory<byte> Part(int index)
    {
        var parts = Parts;
        return index >= 0 && index < parts.Count
            ? parts[index]
            : throw new DSPexDataException(DSPexErrorKind.ResultNotSerializable, $"a value refers to part {index}, which the data does not carry (it has {parts.Count})");
    }

    private static int ReadBytesReference(ref Utf8JsonReader reader)
    {
        Expect(reader.TokenType == JsonTokenType.StartObject, "a binary value is not a {\"$bytes\": i} reference");
        Expect(reader.Read() && reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals("$bytes"u8), "a binary value is not a {\"$bytes\": i} reference");
        var index = -1;
        Expect(reader.Read() && reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out index), "$bytes is not a part number");
        Expect(reader.Read() && reader.TokenType == JsonTokenType.EndObject, "a {\"$bytes\": i} reference holds more than $bytes");
        return index;
    }

    private static void Expect(bool condition, string problem)
    {
        if (!condition)
        {
            throw new DSPexDataException(DSPexErrorKind.ResultNotSerializable, problem);
        }
    }

    private static void WriteBytesReference(Utf8JsonWriter writer, ReadOnlyMemory<byte> data)
    {
        writer.WriteStartObject();
        writer.WriteNumber("$bytes"u8, Add(data));
        writer.WriteEndObject();
    }

    internal sealed class MemoryConverter : JsonConverter<ReadOnlyMemory<byte>>
    {
        public override ReadOnlyMemory<byte> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => Part(ReadBytesReference(ref reader));

        public override void Write(Utf8JsonWriter writer, ReadOnlyMemory<byte> value, JsonSerializerOptions options) => WriteBytesReference(writer, value);
    }

    internal sealed class BinaryDataConverter : JsonConverter<BinaryData>
    {
        public override BinaryData Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => new(Part(ReadBytesReference(ref reader)));

        public override void Write(Utf8JsonWriter writer, BinaryData value, JsonSerializerOptions options) => WriteBytesReference(writer, value.ToMemory());
    }

    internal sealed class ArrayConverter : JsonConverter<DSPexArray>
    {
        public override DSPexArray Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            Expect(reader.TokenType == JsonTokenType.StartObject, "an array value is not an {\"$array\": i, ...} reference");
            int? index = null;
            string? dtype = null, byteOrder = "little";
            var shape = new List<long>();
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString();
                Expect(reader.Read(), "the array reference ends early");
                switch (name)
                {
                    case "$array":
                        Expect(reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out _), "$array is not a part number");
                        index = reader.GetInt32();
                        break;
                    case "dtype":
                        dtype = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                        break;
                    case "byteorder":
                        byteOrder = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                        break;
                    case "shape":
                        Expect(reader.TokenType == JsonTokenType.StartArray, "the array's shape is not a list of sizes");
                        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                        {
                            Expect(reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out _), "the array's shape is not a list of sizes (whole numbers within 64 bits)");
                            shape.Add(reader.GetInt64());
                        }

                        break;
                    default:
                        reader.Skip();
                        break;
                }
            }

            Expect(index is not null, "an array reference without $array");
            return DSPexArray.Read(index!.Value, dtype, byteOrder, [.. shape], Part(index.Value));
        }

        public override void Write(Utf8JsonWriter writer, DSPexArray value, JsonSerializerOptions options)
        {
            writer.WriteStartObject();
            writer.WriteNumber("$array"u8, Add(value.Data));
            writer.WriteString("dtype"u8, value.DType);
            writer.WriteString("byteorder"u8, "little"u8);
            writer.WriteStartArray("shape"u8);
            foreach (var n in value.Shape)
            {
                writer.WriteNumberValue(n);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }
    }
}

using System.Reflection;
using System.Text;
using System.Text.Json;
using DSPex.Orleans.Workers.Bridge;

namespace DSPex.Orleans.UnitTests.Protocol;

/// <summary>
/// The fields of every frame type, held against grains/Python/dspex/protocol.json in both directions: each record the
/// silo parses a bridge's frame into reads exactly the file's fields of that frame (its [WireField] properties; the
/// file's informational fields are skipped), with the file's types; and every frame the silo writes carries only the
/// file's fields, all its required ones, each of its type, nested structures included. Adding, renaming or retyping a
/// field on either side without the file (or in the file without the code) fails here.
/// </summary>
[Trait("Category", "Unit")]
public sealed class FrameFieldDefinitionTests
{
    private const string FromBridge = "frames_from_bridge";
    private const string ToBridge = "frames_to_bridge";

    private static Type RecordOf(string frameType)
    {
        var name = ProtocolDefinitionFile.Frames(FromBridge)[frameType].GetProperty("silo_record").GetString()!;
        var record = typeof(BridgeFrame).Assembly.GetType($"{typeof(BridgeFrame).Namespace}.{name}");
        Assert.True(record is not null && record.IsSubclassOf(typeof(BridgeFrame)), $"{frameType}: no frame record {name}");
        return record!;
    }

    private static PropertyInfo[] DeclaredProperties(Type record) =>
        record.GetProperties(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Where(p => p.Name != nameof(BridgeFrame.Type)).ToArray();

    private static string? WireName(PropertyInfo property) => property.GetCustomAttribute<WireFieldAttribute>()?.Name;

    public static TheoryData<string> FrameTypesFromBridge() => [.. ProtocolDefinitionFile.Frames(FromBridge).Keys];

    [Theory]
    [MemberData(nameof(FrameTypesFromBridge))]
    public void Each_record_reads_exactly_the_fields_the_file_gives_its_frame(string frameType)
    {
        var record = RecordOf(frameType);
        var fields = ProtocolDefinitionFile.FrameFields(FromBridge, frameType);
        var read = DeclaredProperties(record).Select(WireName).OfType<string>().Order();
        Assert.Equal(fields.Where(f => !f.Informational).Select(f => f.Name).Order(), read);
        foreach (var property in DeclaredProperties(record).Where(p => WireName(p) is null))
        {
            var derived = property.GetCustomAttribute<DerivedFromWireAttribute>();
            Assert.True(derived is not null, $"{record.Name}.{property.Name} names no wire field it is read from or derived from");
            Assert.Contains(derived!.Field, fields.Select(f => f.Name));
        }
    }

    [Theory]
    [MemberData(nameof(FrameTypesFromBridge))]
    public void A_frame_with_every_field_the_file_gives_it_is_read_into_its_record_field_by_field(string frameType)
    {
        var fields = ProtocolDefinitionFile.FrameFields(FromBridge, frameType);
        var samples = fields.Select((f, i) => (f.Name, Sample: SampleOf(f.Type, f.Name, i))).ToList();
        var envelope = $$"""{"type":"{{frameType}}",{{string.Join(",", samples.Select(s => $"\"{s.Name}\":{s.Sample.Json}"))}}}""";

        var frame = BridgeFrame.Parse(Encoding.UTF8.GetBytes(envelope));

        Assert.IsType(RecordOf(frameType), frame);
        foreach (var property in DeclaredProperties(frame.GetType()).Where(p => WireName(p) is not null))
        {
            var expected = samples.Single(s => s.Name == WireName(property)).Sample.Expected;
            var actual = property.GetValue(frame);
            switch (expected)
            {
                case string[] list:
                    Assert.Equal(list, Assert.IsAssignableFrom<IEnumerable<string>>(actual));
                    break;
                case Dictionary<string, string?> error:
                    AssertErrorIs(error, Assert.IsType<CallError>(actual));
                    break;
                default:
                    Assert.True(Equals(expected, actual), $"{frameType}.{WireName(property)}: sent {expected}, read {actual}");
                    break;
            }
        }
    }

    public static TheoryData<string, string> TypedFieldsFromBridge()
    {
        var data = new TheoryData<string, string>();
        foreach (var frameType in ProtocolDefinitionFile.Frames(FromBridge).Keys)
        {
            foreach (var field in ProtocolDefinitionFile.FrameFields(FromBridge, frameType).Where(f => !f.Informational && WrongValueOf(f.Type) is not null))
            {
                data.Add(frameType, field.Name);
            }
        }

        return data;
    }

    /// <summary>A field whose value is not of the file's type breaks the protocol: a malformed frame, never a guess.</summary>
    [Theory]
    [MemberData(nameof(TypedFieldsFromBridge))]
    public void A_field_whose_value_is_not_of_the_files_type_is_a_malformed_frame(string frameType, string field)
    {
        var fields = ProtocolDefinitionFile.FrameFields(FromBridge, frameType);
        var values = fields.Select((f, i) => $"\"{f.Name}\":{(f.Name == field ? WrongValueOf(f.Type) : SampleOf(f.Type, f.Name, i).Json)}");
        var envelope = $$"""{"type":"{{frameType}}",{{string.Join(",", values)}}}""";

        var e = Assert.Throws<FrameFormatException>(() => BridgeFrame.Parse(Encoding.UTF8.GetBytes(envelope)));
        Assert.Contains(field, e.Message);
    }

    public static TheoryData<string> FrameTypesToBridge() => [.. ProtocolDefinitionFile.Frames(ToBridge).Keys];

    /// <summary>Every frame the silo can write, one method of <see cref="BridgeFrameWriter"/> per type, with every optional part given.</summary>
    private static IEnumerable<ReadOnlyMemory<byte>> FramesTheSiloWrites()
    {
        var writer = new BridgeFrameWriter(64 * 1024);
        var trace = new CallTrace("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "k=v");
        yield return writer.Call(7, "echo", """{"a":1}""", new CallSession("s1", """{"v":1}"""), new CallProgram("p1", 3, """{"type":"template"}"""), 4, trace).ToArray();
        yield return writer.Call(8, "echo", "null").ToArray();
        yield return writer.Call(9, "echo", """{"b":{"$bytes":0}}""", parts: [new byte[] { 0, 1, 2 }]).ToArray();
        yield return writer.Cancel(7).ToArray();
        yield return writer.Credit(7, 2).ToArray();
        yield return writer.Call(10, "echo", "null", uploadWindow: 4).ToArray();
        yield return writer.Chunk(10, new byte[] { 1, 2, 3 }).ToArray();
        yield return writer.ChunksEnd(10, null).ToArray();
        yield return writer.ChunksEnd(10, "the upload ended early").ToArray();
        yield return writer.Heartbeat(9).ToArray();
        yield return writer.ToolResult(7, 1, """{"r":1}""").ToArray();
        yield return writer.ToolResult(7, 3, """{"r":{"$bytes":0}}""", [new byte[] { 0, 9 }]).ToArray();
        yield return writer.ToolError(7, 2, "ToolFailed", "T", "m").ToArray();
    }

    [Fact]
    public void The_silo_writes_every_frame_type_the_file_sends_to_a_bridge_and_no_other()
    {
        var written = FramesTheSiloWrites().Select(f => Envelope(f).GetProperty("type").GetString()!).Distinct().Order();
        Assert.Equal(ProtocolDefinitionFile.Frames(ToBridge).Keys.Order(), written);
    }

    /// <summary>
    /// Each frame type's fields, over every frame of that type the silo writes: only the file's, its required ones in
    /// each, each of its type; and together, every field the file gives the type (and every field of its structures).
    /// </summary>
    [Theory]
    [MemberData(nameof(FrameTypesToBridge))]
    public void The_frames_the_silo_writes_carry_exactly_the_fields_the_file_gives_them(string frameType)
    {
        var seen = new Dictionary<string, HashSet<string>>();
        var frames = FramesTheSiloWrites().Select(Envelope).Where(e => e.GetProperty("type").GetString() == frameType).ToList();
        Assert.NotEmpty(frames);
        foreach (var envelope in frames)
        {
            var fields = ProtocolDefinitionFile.FrameFields(ToBridge, frameType).Append(new FieldDefinition("type", "string", true, false, false)).ToList();
            CheckObject(frameType, envelope, fields, seen);
        }

        foreach (var (where, names) in seen)
        {
            var defined = where == frameType
                ? ProtocolDefinitionFile.FrameFields(ToBridge, frameType).Select(f => f.Name).Append("type")
                : ProtocolDefinitionFile.Structure(where["structures.".Length..])!.Select(f => f.Name);
            Assert.True(defined.Order().SequenceEqual(names.Order()),
                $"{frameType}: the file gives {where} the fields [{string.Join(", ", defined.Order())}], the silo writes [{string.Join(", ", names.Order())}]");
        }
    }

    /// <summary>Checks an object against its fields and records which fields (of it and of the structures in it) were seen.</summary>
    private static void CheckObject(string where, JsonElement value, IReadOnlyList<FieldDefinition> fields, Dictionary<string, HashSet<string>> seen)
    {
        Assert.Equal(JsonValueKind.Object, value.ValueKind);
        var names = seen.TryGetValue(where, out var known) ? known : seen[where] = [];
        foreach (var property in value.EnumerateObject())
        {
            var field = fields.SingleOrDefault(f => f.Name == property.Name);
            Assert.True(field is not null, $"{where}: the silo writes {property.Name}, which the file does not give it");
            names.Add(property.Name);
            if (property.Value.ValueKind == JsonValueKind.Null && field!.Nullable)
            {
                continue;
            }

            if (ProtocolDefinitionFile.Structure(field!.Type) is { } structure)
            {
                CheckObject($"structures.{field.Type}", property.Value, structure, seen);
            }
            else
            {
                Assert.True(IsOfType(property.Value, field.Type), $"{where}.{property.Name} is {property.Value.GetRawText()}, not of type {field.Type}");
            }
        }

        foreach (var required in fields.Where(f => f.Required))
        {
            Assert.True(value.TryGetProperty(required.Name, out _), $"{where}: the silo wrote no {required.Name}, which the file requires");
        }
    }

    private static bool IsOfType(JsonElement value, string type) => type switch
    {
        "int32" => value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out _),
        "int64" => value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out _),
        "string" => value.ValueKind == JsonValueKind.String,
        "string[]" => value.ValueKind == JsonValueKind.Array && value.EnumerateArray().All(v => v.ValueKind == JsonValueKind.String),
        "json" => true,
        "object" => value.ValueKind == JsonValueKind.Object,
        "version" => value.ValueKind is JsonValueKind.Number or JsonValueKind.String,
        "parts" => value.ValueKind == JsonValueKind.Array && value.EnumerateArray().All(v => v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var n) && n >= 0),
        _ => throw new InvalidOperationException($"protocol.json names a field type the test does not know: {type}"),
    };

    private static JsonElement Envelope(ReadOnlyMemory<byte> frame)
    {
        // The envelope ends at the 0x00 before a frame's binary parts (protocol.json binary_parts).
        var body = frame[4..];
        var end = body.Span.IndexOf((byte)0);
        using var document = JsonDocument.Parse(end < 0 ? body : body[..end]);
        return document.RootElement.Clone();
    }

    /// <summary>A value of the field's type, distinct per field, and what the silo should read it as.</summary>
    private static (string Json, object? Expected) SampleOf(string type, string name, int index)
    {
        switch (type)
        {
            case "int32":
                return ((100 + index).ToString(System.Globalization.CultureInfo.InvariantCulture), 100 + index);
            case "int64":
                var big = 5_000_000_000L + index;
                return (big.ToString(System.Globalization.CultureInfo.InvariantCulture), big);
            case "string":
                return ($"\"s-{name}\"", $"s-{name}");
            case "string[]":
                return ($"[\"a-{name}\",\"b-{name}\"]", new[] { $"a-{name}", $"b-{name}" });
            case "json" or "object":
                var json = $$"""{"k":"{{name}}","n":[1,{"m":null}]}""";
                return (json, json);
            case "version":
                return ("\"1.7\"", "1.7");
            case "parts":
                return ("[]", null); // no parts declared and none after the envelope: a frame without parts
            case "error":
                return ErrorSample();
        }

        var structure = ProtocolDefinitionFile.Structure(type) ?? throw new InvalidOperationException($"protocol.json names a field type the test does not know: {type}");
        var text = "{" + string.Join(",", structure.Select((f, i) => $"\"{f.Name}\":{SampleOf(f.Type, f.Name, i).Json}")) + "}";
        return (text, text); // a structure the silo does not read is carried as its exact text
    }

    /// <summary>An error object with every field of structures.error, and the values the silo reads from each.</summary>
    private static (string Json, object? Expected) ErrorSample()
    {
        var kinds = ProtocolDefinitionFile.Root.GetProperty("error_kinds").EnumerateArray().Select(k => k.GetString()!).ToList();
        var values = ProtocolDefinitionFile.Structure("error")!.ToDictionary(f => f.Name, f => (string?)(f.Name == "kind" ? kinds[^1] : $"e-{f.Name}"));
        return (JsonSerializer.Serialize(values), values);
    }

    /// <summary>How <see cref="CallError"/> holds each field of structures.error; a field the file adds has none here and fails.</summary>
    private static void AssertErrorIs(Dictionary<string, string?> sent, CallError read)
    {
        var readAs = new Dictionary<string, string?>
        {
            ["kind"] = read.Kind.ToString(),
            ["type"] = read.PythonType,
            ["message"] = read.Message,
            ["traceback"] = read.Traceback,
        };
        Assert.Equal(sent.OrderBy(p => p.Key), readAs.OrderBy(p => p.Key));
    }

    /// <summary>A value no field of the type may hold, or null when every value is of the type (json).</summary>
    private static string? WrongValueOf(string type) => type switch
    {
        "int32" or "int64" => "\"7\"",
        "string" or "string[]" => "7",
        "version" => "true",
        "parts" => "[-1]",
        "json" or "object" => null,
        _ => "7", // a structure: an object, never a number
    };
}

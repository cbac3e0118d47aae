using System.Text.Json;

namespace DSPex.Orleans.UnitTests.Protocol;

/// <summary>
/// The protocol's one definition, grains/Python/dspex/protocol.json, as the grains ship it (copied beside the bridge
/// into every build and publish output), read for the tests that hold the silo's code equal to it.
/// </summary>
internal static class ProtocolDefinitionFile
{
    public static readonly string FilePath = Path.Combine(AppContext.BaseDirectory, "Python", "dspex", "protocol.json");

    public static JsonElement Root { get; } = Load();

    private static JsonElement Load()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(FilePath));
        return document.RootElement.Clone();
    }

    /// <summary>The frame types of one direction ("frames_to_bridge" or "frames_from_bridge") with their definitions.</summary>
    public static IReadOnlyDictionary<string, JsonElement> Frames(string direction) =>
        Root.GetProperty(direction).EnumerateObject().ToDictionary(p => p.Name, p => p.Value);

    /// <summary>A frame's (or a structure's) fields.</summary>
    public static IReadOnlyList<FieldDefinition> Fields(JsonElement fields) =>
        [.. fields.EnumerateObject().Select(f => new FieldDefinition(
            f.Name,
            f.Value.GetProperty("type").GetString()!,
            f.Value.GetProperty("required").GetBoolean(),
            f.Value.TryGetProperty("informational", out var informational) && informational.GetBoolean(),
            f.Value.TryGetProperty("nullable", out var nullable) && nullable.GetBoolean()))];

    /// <summary>The fields of a frame type of one direction.</summary>
    public static IReadOnlyList<FieldDefinition> FrameFields(string direction, string frameType) =>
        Fields(Root.GetProperty(direction).GetProperty(frameType).GetProperty("fields"));

    /// <summary>The fields of a named structure (structures.*), or null when the type is not a structure.</summary>
    public static IReadOnlyList<FieldDefinition>? Structure(string type) =>
        Root.GetProperty("structures").TryGetProperty(type, out var fields) ? Fields(fields) : null;

    public static int Limit(string section, string name) => Root.GetProperty(section).GetProperty(name).GetInt32();
}

/// <summary>One field as the file defines it.</summary>
internal sealed record FieldDefinition(string Name, string Type, bool Required, bool Informational, bool Nullable);

using System.Text.Json.Serialization;

namespace DSPex.Orleans.Sessions.Storage;

/// <summary>Source-generated System.Text.Json contract of the stored session: explicit, reflection-free.</summary>
[JsonSourceGenerationOptions(UseStringEnumConverter = true, WriteIndented = false)]
[JsonSerializable(typeof(SessionState))]
[JsonSerializable(typeof(Dictionary<string, System.Text.Json.JsonElement>))]
[JsonSerializable(typeof(IReadOnlyDictionary<string, System.Text.Json.JsonElement>))]
internal sealed partial class SessionStateJsonContext : JsonSerializerContext;

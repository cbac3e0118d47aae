using System.Text.Json.Serialization;
using DSPex.Orleans.Workers.Bridge;

namespace DSPex.Orleans.Sessions;

/// <summary>
/// Source-generated System.Text.Json contract of the stored session: explicit, reflection-free. Its depth leaves room
/// for the state's own levels around a variable or spec as deep as the protocol allows.
/// </summary>
[JsonSourceGenerationOptions(UseStringEnumConverter = true, WriteIndented = false, MaxDepth = 2 * DSPex.Orleans.Workers.Bridge.ProtocolLimits.MaxValueDepth)]
[JsonSerializable(typeof(SessionState))]
[JsonSerializable(typeof(Dictionary<string, System.Text.Json.JsonElement>))]
[JsonSerializable(typeof(IReadOnlyDictionary<string, System.Text.Json.JsonElement>))]
internal sealed partial class SessionStateJsonContext : JsonSerializerContext;

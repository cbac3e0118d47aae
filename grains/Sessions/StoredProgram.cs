using System.Text.Json;
using System.Text.Json.Serialization;

namespace DSPex.Orleans.Sessions;

/// <summary>A program as stored in its session (part of the storage contract, like <see cref="SessionState"/>).</summary>
internal sealed class StoredProgram
{
    [JsonPropertyName("revision")]
    public int Revision { get; set; }

    [JsonPropertyName("updated")]
    public DateTimeOffset UpdatedAt { get; set; }

    [JsonPropertyName("spec")]
    public JsonElement Spec { get; set; }
}

using System.Text.Json;
using System.Text.Json.Serialization;
using DSPex.Orleans.Contracts;

namespace DSPex.Orleans.Sessions;

/// <summary>
/// A session as stored. The JSON names are the storage contract: renaming a .NET member or type does not
/// change what is stored, and <see cref="SchemaVersion"/> lets a later change migrate older records.
/// </summary>
internal sealed partial class SessionState
{
    public const int CurrentSchemaVersion = 1;

    [JsonPropertyName("schema")]
    public int SchemaVersion { get; set; } = CurrentSchemaVersion;

    [JsonPropertyName("exists")]
    public bool Exists { get; set; }

    [JsonPropertyName("created")]
    public DateTimeOffset CreatedAt { get; set; }

    [JsonPropertyName("accessed")]
    public DateTimeOffset LastAccessAt { get; set; }

    [JsonPropertyName("ttl_seconds")]
    public double TtlSeconds { get; set; }

    [JsonPropertyName("affinity")]
    public AffinityMode Affinity { get; set; }

    [JsonPropertyName("metadata")]
    public Dictionary<string, string> Metadata { get; set; } = [];

    [JsonPropertyName("counters")]
    public Dictionary<string, long> Counters { get; set; } = [];

    [JsonPropertyName("last_worker")]
    public string? LastWorkerId { get; set; }

    [JsonPropertyName("last_worker_pid")]
    public int LastWorkerPid { get; set; }

    [JsonPropertyName("programs")]
    public Dictionary<string, StoredProgram> Programs { get; set; } = [];

    [JsonPropertyName("variables")]
    public Dictionary<string, JsonElement> Variables { get; set; } = [];

    /// <summary>The credential that created the session (see Security.SessionOwnership); null when created without one.</summary>
    [JsonPropertyName("owner")]
    public string? Owner { get; set; }

    /// <summary>The pool the session's calls and programs run in; null for the default pool (and in records from before pools had names).</summary>
    [JsonPropertyName("pool")]
    public string? Pool { get; set; }

    /// <summary>The session's pool by name.</summary>
    [JsonIgnore]
    public string PoolName => Pool ?? PoolNames.Default;

    [JsonIgnore]
    public TimeSpan Ttl => TimeSpan.FromSeconds(TtlSeconds);

    /// <summary>
    /// True when something that must survive a crash changed since the last write (existence, options, programs,
    /// variables, the worker affinity follows): the grain writes it before the call returns. Counters and the last
    /// access change on every call and do not set it; the grain writes them later (see SessionGrain.Saving).
    /// </summary>
    [JsonIgnore]
    public bool HasUnsavedChanges { get; set; }

    public bool IsExpired(DateTimeOffset now) => Exists && now - LastAccessAt >= Ttl;

    /// <summary>
    /// A copy to put back when a change cannot be saved. Shallow per entry: changes replace entries (programs,
    /// JSON values) rather than mutate them.
    /// </summary>
    public SessionState Copy() => new()
    {
        SchemaVersion = SchemaVersion,
        Exists = Exists,
        CreatedAt = CreatedAt,
        LastAccessAt = LastAccessAt,
        TtlSeconds = TtlSeconds,
        Affinity = Affinity,
        Metadata = new Dictionary<string, string>(Metadata),
        Counters = new Dictionary<string, long>(Counters),
        LastWorkerId = LastWorkerId,
        LastWorkerPid = LastWorkerPid,
        Programs = new Dictionary<string, StoredProgram>(Programs),
        Variables = new Dictionary<string, JsonElement>(Variables),
        Owner = Owner,
        Pool = Pool,
        RecentCalls = RecentCalls is null ? null : [.. RecentCalls],
        HasUnsavedChanges = HasUnsavedChanges,
    };
}

using DSPex.Orleans.Contracts;

namespace DSPex.Orleans.Configuration;

/// <summary>
/// Session defaults, limits and storage (configuration section "DSPex:Sessions"). The limits bound what one
/// caller can make a silo hold; the variable and spec limits stay well under the pool's frame limit, because
/// a session's variables and a program's spec travel to Python inside one request frame.
/// </summary>
public sealed class DSPexSessionOptions
{
    /// <summary>The configuration section the options bind from.</summary>
    public const string SectionName = "DSPex:Sessions";

    /// <summary>The name of the Orleans grain storage that holds sessions.</summary>
    public const string StorageName = "sessions";

    /// <summary>Sliding time to live of a session; a session can override it within [MinTtl, MaxTtl].</summary>
    public TimeSpan DefaultTtl { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Shortest TTL a session may ask for.</summary>
    public TimeSpan MinTtl { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest TTL a session may ask for.</summary>
    public TimeSpan MaxTtl { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How strongly a session call sticks to its worker when the caller does not say.</summary>
    public AffinityMode DefaultAffinity { get; set; } = AffinityMode.Hint;

    /// <summary>
    /// How long a session grain stays in memory after its last call. An idle session then lives in storage
    /// only and is read back on its next call.
    /// </summary>
    public TimeSpan IdleDeactivationAge { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Longest session id; ids may hold ASCII letters, digits and '-', '_', '.', ':', '@'.</summary>
    public int MaxSessionIdLength { get; set; } = 128;

    /// <summary>Longest program id or variable name.</summary>
    public int MaxNameLength { get; set; } = 256;

    /// <summary>Most metadata entries one session may hold.</summary>
    public int MaxMetadataEntries { get; set; } = 64;

    /// <summary>UTF-8 bytes of all metadata keys and values together.</summary>
    public int MaxMetadataBytes { get; set; } = 16 * 1024;

    /// <summary>Most variables one session may hold.</summary>
    public int MaxVariables { get; set; } = 1000;

    /// <summary>UTF-8 bytes of one variable's JSON value.</summary>
    public int MaxVariableBytes { get; set; } = 1024 * 1024;

    /// <summary>UTF-8 bytes of all variables as the JSON object that is sent with every session call.</summary>
    public int MaxVariablesTotalBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>Most programs one session may hold.</summary>
    public int MaxPrograms { get; set; } = 100;

    /// <summary>UTF-8 bytes of one program's spec JSON.</summary>
    public int MaxProgramSpecBytes { get; set; } = 256 * 1024;

    /// <summary>Redis holds sessions when set (StackExchange.Redis syntax, e.g. "localhost:6379"); memory otherwise.</summary>
    public string? RedisConnectionString { get; set; }
}

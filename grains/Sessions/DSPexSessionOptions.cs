using DSPex.Orleans.Contracts;

namespace DSPex.Orleans.Sessions;

/// <summary>Session defaults and storage (configuration section "DSPex:Sessions").</summary>
public sealed class DSPexSessionOptions
{
    public const string SectionName = "DSPex:Sessions";

    public const string StorageName = "sessions";

    /// <summary>Sliding time to live of a session; a session can override it.</summary>
    public TimeSpan DefaultTtl { get; set; } = TimeSpan.FromHours(1);

    public AffinityMode DefaultAffinity { get; set; } = AffinityMode.Hint;

    /// <summary>Redis holds sessions when set (StackExchange.Redis syntax, e.g. "localhost:6379"); memory otherwise.</summary>
    public string? RedisConnectionString { get; set; }
}

namespace DSPex.Orleans.Silo.Configuration;

/// <summary>Cluster membership and endpoints of this silo (configuration section "DSPex:Silo").</summary>
public sealed class SiloHostOptions
{
    public const string SectionName = "DSPex:Silo";

    public string ClusterId { get; set; } = "dspex-dev";

    public string ServiceId { get; set; } = "dspex";

    public int SiloPort { get; set; } = 11111;

    public int GatewayPort { get; set; } = 30000;

    /// <summary>Silo endpoint of the first silo ("127.0.0.1:11111") for the localhost development cluster; empty for the first silo itself.</summary>
    public string? PrimarySiloEndpoint { get; set; }

    /// <summary>
    /// Redis (StackExchange.Redis syntax, e.g. "redis:6379"). When set, membership, reminders and session storage
    /// all use it instead of the embedded localhost/in-memory default.
    /// </summary>
    public string? RedisConnectionString { get; set; }

    /// <summary>Address other silos and clients reach this silo at (pod IP); loopback when empty.</summary>
    public string? AdvertisedAddress { get; set; }
}

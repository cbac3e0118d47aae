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

    /// <summary>Port of the HTTP endpoints (/healthz, /readyz, /metrics, /dashboard); 0 picks a free loopback port.</summary>
    public int HttpPort { get; set; }

    /// <summary>On stop, how long requests in flight may take to finish before the Python workers are stopped.</summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Serve the Orleans dashboard at /dashboard.</summary>
    public bool Dashboard { get; set; }

    /// <summary>
    /// Serve the benchmark's floor grain (IBenchmarkFloorGrain: a router-shaped call answered without Python) for
    /// tests/DSPex.Orleans.Benchmarks' orleans-floor scenario. Off by default; a production silo leaves it off.
    /// </summary>
    public bool BenchmarkFloor { get; set; }

    /// <summary>Address other silos and clients reach this silo at (pod IP); loopback when empty.</summary>
    public string? AdvertisedAddress { get; set; }
}

namespace DSPex.Orleans.Tests.Infrastructure;

/// <summary>How a real silo is started: its own cluster id, ports and registry folder.</summary>
public sealed record RealSiloSettings(string ClusterId, int SiloPort, int GatewayPort, string StateDirectory, int? PrimarySiloPort = null, string? Redis = null, int PoolSize = 2,
    IReadOnlyDictionary<string, string>? Extra = null, IReadOnlyDictionary<string, string>? Environment = null)
{
    /// <summary>A silo of a cluster whose membership, reminders and sessions live in Redis.</summary>
    public static RealSiloSettings WithRedis(string stateDirectory, string clusterId, string redis) =>
        new(clusterId, FreePorts.Next(), FreePorts.Next(), stateDirectory, Redis: redis);

    public static RealSiloSettings Fresh(string stateDirectory) =>
        new($"reaper-real-{Guid.NewGuid():N}", FreePorts.Next(), FreePorts.Next(), stateDirectory);

    /// <summary>A second silo of the same cluster on this host, joining this one.</summary>
    public RealSiloSettings SecondSilo() => this with { SiloPort = FreePorts.Next(), GatewayPort = FreePorts.Next(), PrimarySiloPort = SiloPort };

    public IEnumerable<(string Key, string Value)> CommandLine() =>
    [
        .. PrimarySiloPort is { } primary ? [("DSPex:Silo:PrimarySiloEndpoint", $"127.0.0.1:{primary}")] : Array.Empty<(string, string)>(),
        .. Redis is { } redis ? [("DSPex:Silo:RedisConnectionString", redis)] : Array.Empty<(string, string)>(),
        ("DSPex:Silo:ClusterId", ClusterId),
        ("DSPex:Silo:SiloPort", SiloPort.ToString()),
        ("DSPex:Silo:GatewayPort", GatewayPort.ToString()),
        ("DSPex:Pool:Size", PoolSize.ToString()),
        ("DSPex:Pool:AdapterModules:0", "dspex_test_adapter"),
        ("DSPex:Pool:AdapterModules:1", "dspex.examples"),
        ("DSPex:Pool:AdapterPaths:0", TestClusters.TestAdapterPath),
        ("DSPex:Pool:StopGracePeriod", "00:00:02"),
        ("DSPex:ProcessSafety:StateDirectory", StateDirectory),
        ("DSPex:ProcessSafety:KillGracePeriod", "00:00:02"),
        .. (Extra ?? new Dictionary<string, string>()).Select(setting => (setting.Key, setting.Value)),
    ];
}

using DSPex.Orleans.Benchmarks.Infrastructure;
using DSPex.Orleans.Tests.Infrastructure;

namespace DSPex.Orleans.Benchmarks.Scenarios;

/// <summary>
/// One benchmark cluster: a cluster id of its own (so its workers' markers are ours alone), free loopback ports,
/// and the pool settings both cluster scenarios share.
/// </summary>
public sealed record ClusterSettings(string ClusterId, int SiloPort, int GatewayPort, int PoolSize, string PythonExecutable)
{
    public const string ServiceId = "dspex-bench";

    public static ClusterSettings Create(string name, int poolSize, string pythonExecutable) =>
        new($"bench-{name}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..6]}", FreePorts.Next(), FreePorts.Next(), poolSize, pythonExecutable);

    /// <summary>The marker text every worker of this cluster carries on its command line.</summary>
    public string WorkerMarker => $"cluster={ClusterId};";

    public IReadOnlyList<int> WorkerPids() => OsProcess.WithCommandLineContaining(WorkerMarker);

    /// <summary>
    /// The workers of the silo on <see cref="SiloPort"/> alone (its address, "host:port@generation", is in the marker):
    /// where several silos share the cluster id, another silo's workers are not this one's to judge.
    /// </summary>
    public IReadOnlyList<int> WorkerPidsOfThisSilo() => OsProcess.WithCommandLineContaining(WorkerMarker, $":{SiloPort}@");

    public long[] WorkerResidentBytes() => [.. WorkerPids().Select(OsProcess.ResidentBytes)];
}

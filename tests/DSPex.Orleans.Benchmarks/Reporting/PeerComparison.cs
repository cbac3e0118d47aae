using System.Globalization;
using System.Text;
using DSPex.Orleans.Benchmarks.Measurement;

namespace DSPex.Orleans.Benchmarks.Reporting;

/// <summary>
/// The cluster (cluster-remote) against the nearest peer's transport (grpc-peer: N Python gRPC servers called from
/// .NET) in the same cells: throughput, p50 and CPU per call of each, and the cluster's throughput as a share of the
/// peer's. Both serve the same command functions with N Python processes.
/// </summary>
public static class PeerComparison
{
    public const string Peer = "grpc-peer";

    public static void Render(StringBuilder md, IReadOnlyList<CellResult> cells)
    {
        var rows = cells.Where(c => c.Scenario == "cluster-remote" && c.Calls > 0)
            .Select(c => (Cluster: c, Peer: TargetEvaluator.Cell(cells, Peer, c.Workload, c.Callers)))
            .Where(r => r.Peer is not null)
            .OrderBy(r => r.Cluster.Workload, StringComparer.Ordinal).ThenBy(r => r.Cluster.Callers)
            .ToList();
        if (rows.Count == 0)
        {
            return;
        }

        md.AppendLine("## Against the gRPC peer");
        md.AppendLine();
        md.AppendLine("`grpc-peer`: N Python grpcio servers serving the same command functions, called from this process through Grpc.Net.Client (raw-bytes unary methods, one HTTP/2 channel per server). CPU per call: client (this process), silo (cluster only) and Python.");
        md.AppendLine();
        md.AppendLine("| workload | callers | cluster calls/s | peer calls/s | x peer | cluster p50 us | peer p50 us | cluster CPU us client / silo / python | peer CPU us client / python |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---|---|");
        foreach (var (cluster, peer) in rows)
        {
            md.AppendLine(CultureInfo.InvariantCulture,
                $"| {cluster.Workload} | {cluster.Callers} | {cluster.CallsPerSecond:0} | {peer!.CallsPerSecond:0} | {cluster.CallsPerSecond / Math.Max(1e-9, peer.CallsPerSecond):0.00} | {cluster.P50Micros:0} | {peer.P50Micros:0} | {cluster.BenchCpuMicrosPerCall:0} / {cluster.SiloCpuMicrosPerCall:0} / {cluster.PythonCpuMicrosPerCall:0} | {peer.BenchCpuMicrosPerCall:0} / {peer.PythonCpuMicrosPerCall:0} |");
        }

        md.AppendLine();
    }
}

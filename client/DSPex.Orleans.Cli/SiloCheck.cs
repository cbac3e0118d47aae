using DSPex.Orleans.Diagnostics;

namespace DSPex.Orleans.Cli;

/// <summary>
/// What the cluster at the given gateway (or Redis membership) reports: each silo's pools, ready when every worker is
/// up. Unreachable, a silo that did not answer, or a pool that failed to start fails; a pool still warming warns. CLI-only: it needs the client.
/// </summary>
internal sealed class SiloCheck(ClusterConnection connection, System.CommandLine.ParseResult parse, TimeSpan connectTimeout) : IDiagnosticCheck
{
    public string Name => "silo";

    public async Task<CheckResult> RunAsync(CancellationToken cancellationToken)
    {
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(connectTimeout);
        Client.Hosting.DSPexClientHost host;
        try
        {
            host = await connection.ConnectAsync(parse, bound.Token);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            return new CheckResult(Name, CheckStatus.Fail,
                $"cannot reach cluster '{parse.GetValue(connection.ClusterId)}' ({(e is OperationCanceledException ? $"no gateway answered within {connectTimeout.TotalSeconds:0.#} s" : e.GetType().Name)})", "--gateway");
        }

        await using (host)
        {
            try
            {
                var stats = await host.Client.GetClusterStatsAsync().WaitAsync(bound.Token);
                var details = stats.Pools.Select(p => $"{p.Silo} pool {p.Pool}: {p.Workers}/{p.Size} workers{StatsTable.Bounds(p)}, {p.Busy} busy, {p.Queued} queued, {p.Served} served, {p.Restarts} restarts"
                        + (p.StartFailure is { } failure ? $"; failed to start: {failure.ReplaceLineEndings(" ")}" : ""))
                    .Concat(stats.Unreachable.Select(s => $"{s}: did not answer")).ToList();
                var silos = stats.Pools.Select(p => p.Silo).Distinct(StringComparer.Ordinal).Count();
                if (stats.Pools.Count == 0 || stats.Unreachable.Count > 0)
                {
                    return new CheckResult(Name, CheckStatus.Fail, $"{silos} silo(s) answered, {stats.Unreachable.Count} did not", null, details);
                }

                // A named pool that failed to start leaves the silo serving (readiness says Degraded), but its commands fail there.
                var failed = stats.Pools.Where(p => p.StartFailure is not null).Select(p => p.Pool).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
                if (failed.Count > 0)
                {
                    return new CheckResult(Name, CheckStatus.Fail, $"pool(s) {string.Join(", ", failed)} failed to start (the details say where and why)",
                        Configuration.DSPexPoolOptions.SectionOf(failed[0]), details);
                }

                // An elastic pool that is growing has workers starting beside live ones and serves meanwhile: only a
                // pool below its floor is still warming.
                var warming = stats.Pools.Count(p => p.Workers < StatsTable.Floor(p));
                return warming == 0
                    ? CheckResult.Pass(Name, $"{silos} silo(s), every pool ready ({stats.TotalWorkers} workers)", details)
                    : new CheckResult(Name, CheckStatus.Warn, $"{warming} of {stats.Pools.Count} pool(s) below their size yet", null, details);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                var kind = e is Client.Errors.DSPexException typed ? typed.Kind.ToString() : e.GetType().Name;
                return new CheckResult(Name, CheckStatus.Fail, $"the cluster refused or failed the stats call ({kind}: {e.Message.Split('\n')[0]})", null);
            }
        }
    }
}

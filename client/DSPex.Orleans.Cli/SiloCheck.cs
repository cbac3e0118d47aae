using DSPex.Orleans.Diagnostics;

namespace DSPex.Orleans.Cli;

/// <summary>
/// What the cluster at the given gateway (or Redis membership) reports: each silo's pools, ready when every worker is
/// up. Unreachable, or a silo that did not answer, fails; a pool still warming warns. CLI-only: it needs the client.
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
                var details = stats.Pools.Select(p => $"{p.Silo}: {p.Workers}/{p.Size} workers, {p.Busy} busy, {p.Queued} queued, {p.Served} served, {p.Restarts} restarts")
                    .Concat(stats.Unreachable.Select(s => $"{s}: did not answer")).ToList();
                if (stats.Pools.Count == 0 || stats.Unreachable.Count > 0)
                {
                    return new CheckResult(Name, CheckStatus.Fail, $"{stats.Pools.Count} silo(s) answered, {stats.Unreachable.Count} did not", null, details);
                }

                var warming = stats.Pools.Count(p => p.Workers < p.Size);
                return warming == 0
                    ? CheckResult.Pass(Name, $"{stats.Pools.Count} silo(s), every pool ready ({stats.TotalWorkers} workers)", details)
                    : new CheckResult(Name, CheckStatus.Warn, $"{warming} of {stats.Pools.Count} pool(s) not at full size yet", null, details);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                var kind = e is Client.Errors.DSPexException typed ? typed.Kind.ToString() : e.GetType().Name;
                return new CheckResult(Name, CheckStatus.Fail, $"the cluster refused or failed the stats call ({kind}: {e.Message.Split('\n')[0]})", null);
            }
        }
    }
}

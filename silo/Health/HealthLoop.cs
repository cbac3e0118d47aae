using DSPex.Orleans.Silo.Startup;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DSPex.Orleans.Silo.Health;

/// <summary>
/// Probes the running silo on its own schedule, off every request path: membership (its view and the table) and a
/// ping through its own pool grain, each bounded by ProbeTimeout, the findings kept in <see cref="SiloHealth"/> for
/// /readyz. A silo out of membership longer than MembershipLossLimit cannot come back as the same member (Orleans
/// fences a silo the cluster has lost; only a new generation joins): it fails /healthz and stops with exit code 3.
/// </summary>
internal sealed partial class HealthLoop(
    SiloHealth health,
    MembershipProbe membership,
    GatewayProbe gateway,
    SiloExit exit,
    IHostApplicationLifetime lifetime,
    IOptions<HealthOptions> options,
    ILogger<HealthLoop> logger) : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;

    public void Start()
    {
        var stop = _stop.Token;
        _loop = Task.Run(() => RunAsync(stop));
    }

    /// <summary>Ends the loop (the silo drains from here on; the phase says so).</summary>
    public async Task StopAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await _stop.CancelAsync();
        }

        await _loop;
    }

    /// <summary>
    /// The container disposes the loop with the host, after <see cref="StopAsync"/> (SiloRunner's stopping step).
    /// A host disposed without that stop (its start failed) ends the loop here, so it never probes a disposed silo.
    /// </summary>
    public void Dispose()
    {
        if (!_stop.IsCancellationRequested)
        {
            _stop.Cancel();
        }

        _stop.Dispose();
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        DateTimeOffset? lostSince = null;
        using var timer = new PeriodicTimer(settings.ProbeInterval);
        try
        {
            do
            {
                var member = membership.CheckAsync(settings.ProbeTimeout, cancellationToken);
                var serving = gateway.CheckAsync(settings.ProbeTimeout, cancellationToken);
                var (found, problem) = (await member, await serving);
                var previous = health.Last;
                health.Report(new SiloHealth.Findings(found.Problem, problem, DateTimeOffset.UtcNow));
                if (found.Problem != previous.Membership || problem != previous.Gateway)
                {
                    if (found.Problem is null && problem is null)
                    {
                        Log.Recovered(logger);
                    }
                    else
                    {
                        Log.NotReady(logger, found.Problem ?? "member", problem ?? "serving");
                    }
                }

                lostSince = found.Lost ? lostSince ?? DateTimeOffset.UtcNow : null;
                if (lostSince is { } since && DateTimeOffset.UtcNow - since >= settings.MembershipLossLimit)
                {
                    GiveUp($"out of the cluster's membership for {(DateTimeOffset.UtcNow - since).TotalSeconds:0} s " +
                        $"({HealthOptions.SectionName}:MembershipLossLimit is {settings.MembershipLossLimit.TotalSeconds:0} s): {found.Problem}");
                    return;
                }
            }
            while (await timer.WaitForNextTickAsync(cancellationToken));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            // A bug here must not end the silo quietly healthy: say so, and report it as not ready.
            Log.LoopFailed(logger, e);
            health.Report(new SiloHealth.Findings(null, $"the health loop failed: {e.Message}", DateTimeOffset.UtcNow));
        }
    }

    private void GiveUp(string reason)
    {
        health.GiveUp(reason);
        exit.Fail(SiloExit.MembershipLost, reason);
        Log.GivingUp(logger, reason);
        lifetime.StopApplication();
    }
}

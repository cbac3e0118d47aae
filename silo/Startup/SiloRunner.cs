using DSPex.Orleans.Hosting;
using DSPex.Orleans.Pool;
using DSPex.Orleans.Silo.Health;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DSPex.Orleans.Silo.Startup;

/// <summary>
/// Runs the Orleans silo inside the host's lifetime so that the HTTP endpoints answer for all of it: the silo starts
/// once every hosted service (the HTTP server included) has started, and stops as the host begins to stop, before any
/// hosted service (the HTTP server included) stops. So /readyz says "starting" while the pools warm, and "draining"
/// with /healthz and /metrics still answering while requests in flight finish. Orleans' own hosted service would
/// start before the HTTP server (it is registered first) and stop after it; this takes its place.
/// </summary>
internal sealed partial class SiloRunner(
    IHostedService orleans,
    IServiceProvider services,
    SiloHealth health,
    HealthLoop loop,
    SiloExit exit,
    TimeSpan drainTimeout,
    ILogger<SiloRunner> logger) : IHostedLifecycleService
{
    /// <summary>Orleans' hosted service (internal to Orleans), as UseOrleans registers it.</summary>
    public const string OrleansHostedService = "Orleans.Hosting.SiloHostedService";

    private Task? _start;

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StartedAsync(CancellationToken cancellationToken)
    {
        // The HTTP server listens by now: say where, since the default port is a random one (DSPex:Silo:HttpPort 0).
        var addresses = services.GetService<IServer>()?.Features.Get<IServerAddressesFeature>()?.Addresses;
        Log.HttpListening(logger, addresses is { Count: > 0 } ? string.Join(", ", addresses) : "(none)");

        // The token is cancelled by SIGTERM during the start: the lifecycle stops between stages, and the stop
        // (StoppingAsync) waits for a stage in progress only as long as a drain may take.
        _start = orleans.StartAsync(cancellationToken);
        try
        {
            await _start.WaitAsync(cancellationToken);
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested)
        {
            Log.StopDuringStart(logger);
            return;
        }

        health.Enter(SiloPhase.Serving);
        loop.Start();
        WriteReadyLine();
    }

    /// <summary>The structured readiness signal for whatever started this process (SiloReadyLine), on stdout.</summary>
    private void WriteReadyLine()
    {
        var pools = services.GetRequiredService<SiloPools>();
        var ready = new SiloReady(
            Environment.ProcessId,
            pools.Silo.ToParsableString(),
            (long)pools.WarmUpTime.TotalMilliseconds,
            [.. pools.All.Select(p => new PoolReady(p.Name, p.LiveProcesses().Count, p.Options.EffectiveMinSize))]);
        Console.Out.WriteLine(SiloReadyLine.Format(ready));
        Console.Out.Flush();
    }

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        health.Enter(SiloPhase.Draining);
        await loop.StopAsync();
        if (_start is null)
        {
            return;
        }

        if (!_start.IsCompleted)
        {
            await Task.WhenAny(_start, Task.Delay(drainTimeout, cancellationToken));
            if (!_start.IsCompleted)
            {
                exit.Fail(SiloExit.StartAbandoned, $"stopped while starting; the start did not finish within DSPex:Silo:DrainTimeout ({drainTimeout.TotalSeconds:0} s)");
                Log.StartAbandoned(logger, drainTimeout);
                await StopStartedWorkersAsync(CancellationToken.None);
                return;
            }
        }

        try
        {
            // Bounded by the host's shutdown timeout: Orleans' leaving the cluster retries for as long as it is let,
            // and a membership table that vanished (Redis restarted empty) would keep it at that for good.
            await orleans.StopAsync(cancellationToken).WaitAsync(cancellationToken);
        }
        catch (InvalidOperationException) when (!_start.IsCompletedSuccessfully)
        {
            // The start failed or was cancelled before the silo ran: there is no running silo to stop, only workers.
            await StopStartedWorkersAsync(CancellationToken.None);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Log.StopTimedOut(logger);
            await StopStartedWorkersAsync(CancellationToken.None);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Ends the Python processes the pools did start, so a start or stop given up on leaves none behind.</summary>
    private async Task StopStartedWorkersAsync(CancellationToken cancellationToken)
    {
        if (services.GetService<SiloPools>() is { } pools)
        {
            // Bounded by the pools' own grace periods (SIGTERM, grace, SIGKILL); stopping twice is harmless.
            await pools.StopAsync().WaitAsync(cancellationToken);
        }
    }
}

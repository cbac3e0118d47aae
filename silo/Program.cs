using DSPex.Orleans.Pool;
using DSPex.Orleans.Silo.Configuration;
using DSPex.Orleans.Silo.Demo;
using DSPex.Orleans.Silo.Health;
using DSPex.Orleans.Silo.Security;
using DSPex.Orleans.Silo.Startup;
using DSPex.Orleans.Silo.Telemetry;
using DSPex.Orleans.Workers.Native;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Dashboard;

// `dspex-silo` runs a silo until stopped (Ctrl+C / SIGTERM). `dspex-silo --demo` starts one, runs the sample
// workload through the client library, prints the results and pool stats, then stops cleanly.
var demo = args.Contains("--demo");
var hostArgs = args.Where(a => a != "--demo").ToArray();
WebApplicationBuilder builder;
WebApplication app;
try
{
    builder = SiloHostBuilder.Create(hostArgs);
    app = builder.Build();
}
catch (Exception e) when (ConfigurationError.Describe(e) is { } error)
{
    Console.Error.WriteLine($"dspex-silo: configuration error: {error}");
    return 2;
}

// Metrics and the dashboard: loopback, or a credential with the "stats" scope.
app.UseMonitoringAccess();

// The HTTP server starts before the silo and stops after it (SiloRunner), so these answer through start and drain.
// Liveness: the silo can still recover by itself. Readiness: started, an active member, its probe call answered,
// the default pool warm, not draining. Neither does I/O on the request: the health loop probes on its own schedule.
app.MapHealthChecks("/healthz", new HealthCheckOptions
{
    Predicate = check => check.Tags.Contains(LivenessCheck.Tag),
    ResponseWriter = PoolReadinessCheck.WriteAsync,
});
app.MapHealthChecks("/readyz", new HealthCheckOptions
{
    Predicate = check => check.Tags.Contains(PoolReadinessCheck.Tag),
    // Says which pool failed or is not warm, so a Degraded silo (a named pool down, the others serving) explains itself.
    ResponseWriter = PoolReadinessCheck.WriteAsync,
});
var telemetry = builder.Configuration.GetSection(TelemetryOptions.SectionName).Get<TelemetryOptions>() ?? new TelemetryOptions();
app.MapSiloTelemetry(telemetry);
var silo = builder.Configuration.GetSection(SiloHostOptions.SectionName).Get<SiloHostOptions>() ?? new SiloHostOptions();
if (silo.Dashboard)
{
    app.MapOrleansDashboard("/dashboard");
}

try
{
    await app.StartAsync();
}
catch (Exception e) when (ConfigurationError.Describe(e) is { } error)
{
    Console.Error.WriteLine($"dspex-silo: configuration error: {error}");
    return 2;
}
catch (OperationCanceledException)
{
    // SIGTERM while still starting: a clean stop, not a crash (unless the start could not be ended in time).
    await app.StopAsync();
    return Exit(app);
}

if (!demo)
{
    await app.WaitForShutdownAsync();
    return Exit(app);
}

var pool = app.Services.GetRequiredService<LocalWorkerPool>();
var pids = pool.GetStats().WorkerDetails.Where(w => w.Pid > 0).Select(w => w.Pid).ToList();
var exitCode = await DemoWorkload.RunAsync(silo, Console.Out);
await app.StopAsync();

var alive = pids.Where(LinuxProcess.IsRunning).ToList();
Console.WriteLine(alive.Count == 0
    ? $"silo stopped; all {pids.Count} Python worker processes have exited"
    : $"silo stopped, but Python processes are still alive: {string.Join(", ", alive)}");
return alive.Count == 0 ? exitCode : 1;

// 0 for a clean stop; 3 when the silo left its cluster for good, 4 when a stop during start-up had to give up on it.
static int Exit(WebApplication app)
{
    var exit = app.Services.GetRequiredService<SiloExit>();
    if (exit.Code != 0)
    {
        Console.Error.WriteLine($"dspex-silo: exit code {exit.Code}: {exit.Reason}");
    }

    return exit.Code;
}

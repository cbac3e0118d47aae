using DSPex.Orleans.Native;
using DSPex.Orleans.Pool;
using DSPex.Orleans.Silo.Configuration;
using DSPex.Orleans.Silo.Demo;
using DSPex.Orleans.Silo.Health;
using DSPex.Orleans.Silo.Security;
using DSPex.Orleans.Silo.Startup;
using DSPex.Orleans.Silo.Telemetry;
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

// Liveness: the process answers. Readiness: the Python pool is warm and the silo is not draining.
app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false });
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
    // SIGTERM while still starting: a clean stop, not a crash.
    await app.StopAsync();
    return 0;
}

if (!demo)
{
    await app.WaitForShutdownAsync();
    return 0;
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

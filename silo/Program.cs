using DSPex.Orleans.Pool;
using DSPex.Orleans.Silo.Configuration;
using DSPex.Orleans.Silo.Demo;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

// `dspex-silo` runs a silo until stopped (Ctrl+C / SIGTERM). `dspex-silo --demo` starts one, runs the sample
// workload through the client library, prints the results and pool stats, then stops cleanly.
var demo = args.Contains("--demo");
var hostArgs = args.Where(a => a != "--demo").ToArray();
var builder = SiloHostBuilder.Create(hostArgs);
using var host = builder.Build();

if (!demo)
{
    await host.RunAsync();
    return 0;
}

await host.StartAsync();
var pool = host.Services.GetRequiredService<LocalWorkerPool>();
var pids = pool.LiveProcesses().Select(p => p.Pid).ToList();
var silo = builder.Configuration.GetSection(SiloHostOptions.SectionName).Get<SiloHostOptions>() ?? new SiloHostOptions();
var exitCode = await DemoWorkload.RunAsync(silo, Console.Out);
await host.StopAsync();

var alive = pids.Where(pid => Directory.Exists($"/proc/{pid}")).ToList();
Console.WriteLine(alive.Count == 0
    ? $"silo stopped; all {pids.Count} Python worker processes have exited"
    : $"silo stopped, but Python processes are still alive: {string.Join(", ", alive)}");
return alive.Count == 0 ? exitCode : 1;

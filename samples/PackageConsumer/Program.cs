// A team's own application, built from the DSPex.Orleans packages only: it hosts an Orleans silo with DSPex
// (DSPex.Orleans.Hosting) and calls it through the silo's gateway with the client library (DSPex.Orleans.Client),
// as a separate application would. It prints one JSON line with what it got and exits 0, or exits 1 on a failure.
//   dotnet run -- [siloPort] [gatewayPort]
using System.Globalization;
using System.Text.Json;
using DSPex.Orleans.Client.Hosting;
using DSPex.Orleans.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

var siloPort = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 11111;
var gatewayPort = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 30000;
var clusterId = $"package-consumer-{Environment.ProcessId}";
const string serviceId = "package-consumer";

var siloBuilder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [] });
siloBuilder.Logging.SetMinimumLevel(LogLevel.Warning);
siloBuilder.UseOrleans(silo => silo
    .UseLocalhostClustering(siloPort, gatewayPort, serviceId: serviceId, clusterId: clusterId)
    .UseInMemoryReminderService() // the periodic orphan sweep runs on a reminder
    .AddDSPex(pool =>
    {
        pool.Size = 1;
        pool.AdapterModules = ["sample_adapter"];
        pool.AdapterPaths = [Path.Combine(AppContext.BaseDirectory, "adapters")];
    }));
// The pools as a health check, for the application's own /readyz (MapHealthChecks in a web host).
siloBuilder.Services.AddHealthChecks().AddDSPexHealthChecks();
using var silo = siloBuilder.Build();
await silo.StartAsync();
try
{
    await using var client = await DSPexClientHost.ConnectAsync(o =>
    {
        o.ClusterId = clusterId;
        o.ServiceId = serviceId;
        o.GatewayPort = gatewayPort;
    });
    var echo = await client.Client.ExecuteRawAsync("echo", """{"text":"hi"}""");
    var greeting = await client.Client.ExecuteAsync<JsonElement>("greet", new { name = "packages" });
    var stats = await client.Client.GetClusterStatsAsync();
    var health = await silo.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
    Console.WriteLine(JsonSerializer.Serialize(new
    {
        echo = JsonDocument.Parse(echo).RootElement,
        greet = greeting,
        workers = stats.TotalWorkers,
        bridge = Path.Combine(AppContext.BaseDirectory, "Python", "dspex_bridge.py"),
        health = health.Status.ToString(),
    }));
}
finally
{
    await silo.StopAsync();
}

// The agent example's client: registers two .NET tools and asks the agent (examples/agent/agent_example.py, running
// in the cluster's Python workers) a question. See docs/tools.md for the commands.
//
//   dotnet run -c Release --project examples/ToolsAgent -- "What is the weather in Paris and what is Orleans?"
//   options: --gateway host:port (repeatable; default localhost:30000), --cluster-id, --service-id,
//            --search-delay-ms N (how slow the search tool is), --timeout-seconds N (the request's deadline)
using System.Text.Json;
using DSPex.Orleans.Client;
using DSPex.Orleans.Client.Errors;
using DSPex.Orleans.Client.Hosting;
using DSPex.Orleans.Examples.ToolsAgent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

var question = "What is the weather in Paris and what is Orleans?";
var gateways = new List<string>();
string? clusterId = null, serviceId = null;
var searchDelay = TimeSpan.FromMilliseconds(1500);
var timeout = TimeSpan.FromSeconds(30);
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--gateway": gateways.Add(args[++i]); break;
        case "--cluster-id": clusterId = args[++i]; break;
        case "--service-id": serviceId = args[++i]; break;
        case "--search-delay-ms": searchDelay = TimeSpan.FromMilliseconds(int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture)); break;
        case "--timeout-seconds": timeout = TimeSpan.FromSeconds(int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture)); break;
        default: question = args[i]; break;
    }
}

var builder = Host.CreateApplicationBuilder();
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.AddDSPexClient(o =>
{
    o.Gateways = gateways;
    o.ClusterId = clusterId ?? o.ClusterId;
    o.ServiceId = serviceId ?? o.ServiceId;
    AgentTools.AddTo(o.Tools, searchDelay, () => Console.WriteLine("tool search started"), () => Console.WriteLine("tool search cancelled"));
});
using var host = builder.Build();
await host.StartAsync().ConfigureAwait(false);
var dspex = host.Services.GetRequiredService<DSPexClient>();
try
{
    var reply = await dspex.ExecuteRawAsync("agent", JsonSerializer.Serialize(new { question }), new ExecuteOptions { Timeout = timeout }).ConfigureAwait(false);
    using var answer = JsonDocument.Parse(reply);
    foreach (var step in answer.RootElement.GetProperty("steps").EnumerateArray())
    {
        Console.WriteLine($"step: {step.GetProperty("tool").GetString()}({step.GetProperty("args")}) -> {step.GetProperty("observation")}");
    }

    Console.WriteLine($"answer: {answer.RootElement.GetProperty("answer").GetString()}");
    return 0;
}
catch (DSPexException e)
{
    Console.Error.WriteLine($"the agent failed: {e.GetType().Name}: {e.Message}");
    return 1;
}
finally
{
    await host.StopAsync().ConfigureAwait(false);
}

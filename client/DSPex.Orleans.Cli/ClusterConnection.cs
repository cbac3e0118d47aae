using System.CommandLine;
using DSPex.Orleans.Client;
using DSPex.Orleans.Client.Hosting;

namespace DSPex.Orleans.Cli;

/// <summary>The options every command shares, and the connected client they describe.</summary>
internal sealed class ClusterConnection
{
    public Option<string[]> Gateways { get; } = new("--gateway") { Description = "Gateway endpoint host:port (repeatable); default localhost on --gateway-port", AllowMultipleArgumentsPerToken = true };

    public Option<int> GatewayPort { get; } = new("--gateway-port") { Description = "Gateway port of the localhost cluster", DefaultValueFactory = _ => 30000 };

    public Option<string> ClusterId { get; } = new("--cluster-id") { Description = "Orleans cluster id", DefaultValueFactory = _ => "dspex-dev" };

    public Option<string> ServiceId { get; } = new("--service-id") { Description = "Orleans service id", DefaultValueFactory = _ => "dspex" };

    public Option<string?> Redis { get; } = new("--redis") { Description = "Redis connection string: find gateways through the cluster's Redis membership" };

    public void AddTo(RootCommand root)
    {
        foreach (var option in new Option[] { Gateways, GatewayPort, ClusterId, ServiceId, Redis })
        {
            option.Recursive = true;
            root.Options.Add(option);
        }
    }

    public async Task<int> RunAsync(ParseResult parse, Func<DSPexClient, CancellationToken, Task<int>> action, CancellationToken cancellationToken)
    {
        await using var connection = await DSPexClientHost.ConnectAsync(o =>
        {
            o.Gateways = [.. parse.GetValue(Gateways) ?? []];
            o.GatewayPort = parse.GetValue(GatewayPort);
            o.ClusterId = parse.GetValue(ClusterId)!;
            o.ServiceId = parse.GetValue(ServiceId)!;
            o.RedisConnectionString = parse.GetValue(Redis);
        }, cancellationToken);
        return await action(connection.Client, cancellationToken);
    }
}

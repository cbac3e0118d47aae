using System.CommandLine;
using Microsoft.Extensions.Logging;
using DSPex.Orleans.Client;
using DSPex.Orleans.Client.Errors;
using DSPex.Orleans.Client.Hosting;
using DSPex.Orleans.Contracts;

namespace DSPex.Orleans.Cli;

/// <summary>The options every command shares, and the connected client they describe.</summary>
internal sealed class ClusterConnection
{
    public Option<string[]> Gateways { get; } = new("--gateway") { Description = "Gateway endpoint host:port (repeatable); default localhost on --gateway-port", AllowMultipleArgumentsPerToken = true };

    public Option<int> GatewayPort { get; } = new("--gateway-port") { Description = "Gateway port of the localhost cluster", DefaultValueFactory = _ => 30000 };

    public Option<string> ClusterId { get; } = new("--cluster-id") { Description = "Orleans cluster id", DefaultValueFactory = _ => "dspex-dev" };

    public Option<string> ServiceId { get; } = new("--service-id") { Description = "Orleans service id", DefaultValueFactory = _ => "dspex" };

    public Option<string?> Redis { get; } = new("--redis") { Description = "Redis connection string: find gateways through the cluster's Redis membership" };

    public Option<string?> ApiKey { get; } = new("--api-key") { Description = "API key for a cluster that requires one (default: the DSPEX_API_KEY environment variable, which keeps it off the command line)" };

    public Option<string?> TlsCertificate { get; } = new("--tls-cert") { Description = "Client certificate (PEM) to present to the gateway" };

    public Option<string?> TlsKey { get; } = new("--tls-key") { Description = "Private key (PEM) of --tls-cert" };

    public Option<string?> TlsCa { get; } = new("--tls-ca") { Description = "CA bundle (PEM) the gateway's certificate must chain to; turns TLS on" };

    public Option<double> ConnectTimeout { get; } = new("--connect-timeout") { Description = "Seconds to wait for a gateway before giving up", DefaultValueFactory = _ => 20 };

    public void AddTo(RootCommand root)
    {
        foreach (var option in new Option[] { Gateways, GatewayPort, ClusterId, ServiceId, Redis, ApiKey, TlsCertificate, TlsKey, TlsCa, ConnectTimeout })
        {
            option.Recursive = true;
            root.Options.Add(option);
        }
    }

    /// <summary>Connects as these options say (no bound of its own: the caller bounds the wait).</summary>
    public Task<DSPexClientHost> ConnectAsync(ParseResult parse, CancellationToken cancellationToken) => DSPexClientHost.ConnectAsync(o =>
    {
        o.Gateways = [.. parse.GetValue(Gateways) ?? []];
        o.GatewayPort = parse.GetValue(GatewayPort);
        o.ClusterId = parse.GetValue(ClusterId)!;
        o.ServiceId = parse.GetValue(ServiceId)!;
        o.RedisConnectionString = parse.GetValue(Redis);
        o.ApiKey = parse.GetValue(ApiKey) ?? Environment.GetEnvironmentVariable("DSPEX_API_KEY");
        o.Tls.CertificateFile = parse.GetValue(TlsCertificate);
        o.Tls.KeyFile = parse.GetValue(TlsKey);
        o.Tls.CaFile = parse.GetValue(TlsCa);
    }, cancellationToken, LogLevel.None);

    public async Task<int> RunAsync(ParseResult parse, Func<DSPexClient, CancellationToken, Task<int>> action, CancellationToken cancellationToken)
    {
        DSPexClientHost connection;
        TimeSpan connectTimeout;
        try
        {
            connectTimeout = CliErrors.Seconds(parse.GetValue(ConnectTimeout), "--connect-timeout")!.Value;
        }
        catch (DSPexException e)
        {
            return CliErrors.Print(e.Kind, e.Message, CliErrors.Failed);
        }

        // Orleans' client keeps retrying an unreachable gateway: bound the wait, so a wrong address fails in one line.
        using var connectLimit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        connectLimit.CancelAfter(connectTimeout);
        try
        {
            connection = await ConnectAsync(parse, connectLimit.Token);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The connection string may carry a password: name only its endpoints.
            var where = parse.GetValue(Redis) is { } redis ? $"Redis {string.Join(", ", StackExchange.Redis.ConfigurationOptions.Parse(redis).EndPoints)}" : parse.GetValue(Gateways) is { Length: > 0 } gateways
                ? string.Join(", ", gateways) : $"localhost:{parse.GetValue(GatewayPort)}";
            return CliErrors.Print(DSPexErrorKind.SiloUnavailable,
                $"cannot reach cluster '{parse.GetValue(ClusterId)}' at {where}: {(e is OperationCanceledException ? $"no gateway answered within {connectTimeout.TotalSeconds:0.#} s" : e.Message.Split('\n')[0])}", CliErrors.Unreachable);
        }

        await using (connection)
        {
            return await CliErrors.ReportAsync(() => action(connection.Client, cancellationToken), cancellationToken);
        }
    }
}

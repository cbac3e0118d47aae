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
    public const string GatewayVariable = "DSPEX_GATEWAY";

    public const string ClusterIdVariable = "DSPEX_CLUSTER_ID";

    public const string ServiceIdVariable = "DSPEX_SERVICE_ID";

    // The environment names a cluster once for a shell or a pod; an option given on the command line wins.
    public Option<string[]> Gateways { get; } = new("--gateway")
    {
        Description = $"Gateway endpoint host:port (repeatable, or comma-separated); default ${GatewayVariable}, else localhost on --gateway-port",
        AllowMultipleArgumentsPerToken = true,
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable(GatewayVariable) is { Length: > 0 } gateways ? [gateways] : [],
    };

    public Option<int> GatewayPort { get; } = new("--gateway-port") { Description = "Gateway port of the localhost cluster", DefaultValueFactory = _ => 30000 };

    public Option<string> ClusterId { get; } = new("--cluster-id") { Description = $"Orleans cluster id (default ${ClusterIdVariable}, else dspex-dev)", DefaultValueFactory = _ => FromEnvironment(ClusterIdVariable, "dspex-dev") };

    public Option<string> ServiceId { get; } = new("--service-id") { Description = $"Orleans service id (default ${ServiceIdVariable}, else dspex)", DefaultValueFactory = _ => FromEnvironment(ServiceIdVariable, "dspex") };

    public Option<string?> Redis { get; } = new("--redis") { Description = "Redis connection string: find gateways through the cluster's Redis membership" };

    public Option<string?> ApiKey { get; } = new("--api-key") { Description = "API key for a cluster that requires one (default: the DSPEX_API_KEY environment variable, which keeps it off the command line)" };

    public Option<string?> TlsCertificate { get; } = new("--tls-cert") { Description = "Client certificate (PEM) to present to the gateway" };

    public Option<string?> TlsKey { get; } = new("--tls-key") { Description = "Private key (PEM) of --tls-cert" };

    public Option<string?> TlsCa { get; } = new("--tls-ca") { Description = "CA bundle (PEM) the gateway's certificate must chain to; turns TLS on" };

    public Option<double> ConnectTimeout { get; } = CliInput.Seconds("--connect-timeout", "Seconds to wait for a gateway before giving up (a refused connection fails at once)", 20);

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
        o.Gateways = [.. CliInput.Gateways(parse.GetValue(Gateways) ?? [])];
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
        IReadOnlyList<(string Host, int Port)> endpoints;
        try
        {
            connectTimeout = CliErrors.Seconds(parse.GetValue(ConnectTimeout), "--connect-timeout")!.Value;
            endpoints = Endpoints(parse);
        }
        catch (DSPexException e)
        {
            return CliErrors.Print(e.Kind, e.Message, CliErrors.Failed);
        }

        var where = Where(parse);
        // A gateway that refuses the connection outright (nothing listens there) is known at once: Orleans' client
        // would retry it until the connect timeout. Anything else (a timeout, a gateway that accepts) goes on to connect.
        var probe = await GatewayReachability.ProbeAsync(endpoints, connectTimeout, cancellationToken);
        if (probe.AllRefused)
        {
            return CliErrors.Print(DSPexErrorKind.SiloUnavailable,
                $"cannot reach cluster '{parse.GetValue(ClusterId)}' at {where}: connection refused (is a silo running there, with that gateway port?)", CliErrors.Unreachable);
        }

        // Orleans' client keeps retrying an unreachable gateway: bound the wait, so a wrong address fails in one line.
        using var connectLimit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        connectLimit.CancelAfter(connectTimeout);
        try
        {
            connection = await ConnectAsync(parse, connectLimit.Token);
        }
        catch (DSPexException e)
        {
            return CliErrors.Print(e.Kind, e.Message, CliErrors.Failed);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var failure = e is OperationCanceledException ? $"not admitted within {connectTimeout.TotalSeconds:0.#} s" : e.Message.Split('\n')[0];
            var reason = probe.AnyAccepted
                ? $"a gateway accepted the connection but did not admit this client ({failure}): check --cluster-id and --service-id ({ClusterIdVariable}, {ServiceIdVariable}) and TLS (--tls-ca)"
                : e is OperationCanceledException ? $"no gateway answered within {connectTimeout.TotalSeconds:0.#} s" : failure;
            return CliErrors.Print(DSPexErrorKind.SiloUnavailable, $"cannot reach cluster '{parse.GetValue(ClusterId)}' at {where}: {reason}", CliErrors.Unreachable);
        }

        await using (connection)
        {
            return await CliErrors.ReportAsync(() => action(connection.Client, cancellationToken), cancellationToken);
        }
    }

    /// <summary>The gateways to probe: the ones given, the localhost port, or none when gateways come from Redis.</summary>
    private IReadOnlyList<(string Host, int Port)> Endpoints(ParseResult parse)
    {
        if (parse.GetValue(Redis) is { Length: > 0 })
        {
            return [];
        }

        var gateways = CliInput.Gateways(parse.GetValue(Gateways) ?? []);
        return gateways.Length > 0 ? [.. gateways.Select(g => CliInput.Endpoint(g)!.Value)] : [("127.0.0.1", parse.GetValue(GatewayPort))];
    }

    private string Where(ParseResult parse) =>
        // The connection string may carry a password: name only its endpoints.
        parse.GetValue(Redis) is { } redis ? $"Redis {string.Join(", ", StackExchange.Redis.ConfigurationOptions.Parse(redis).EndPoints)}"
        : parse.GetValue(Gateways) is { Length: > 0 } gateways ? string.Join(", ", gateways) : $"localhost:{parse.GetValue(GatewayPort)}";

    private static string FromEnvironment(string variable, string fallback) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value ? value : fallback;
}

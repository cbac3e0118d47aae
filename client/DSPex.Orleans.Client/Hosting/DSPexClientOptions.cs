namespace DSPex.Orleans.Client.Hosting;

/// <summary>How the client finds the cluster (configuration section "DSPex:Client").</summary>
public sealed class DSPexClientOptions
{
    /// <summary>The configuration section the options bind from.</summary>
    public const string SectionName = "DSPex:Client";

    /// <summary>The Orleans cluster id of the DSPex cluster.</summary>
    public string ClusterId { get; set; } = "dspex-dev";

    /// <summary>The Orleans service id of the DSPex cluster.</summary>
    public string ServiceId { get; set; } = "dspex";

    /// <summary>Gateway endpoints ("host:port"). Empty means the embedded default: localhost on <see cref="GatewayPort"/>.</summary>
    public List<string> Gateways { get; set; } = [];

    /// <summary>The localhost gateway port, used when no <see cref="Gateways"/> and no Redis connection string are given.</summary>
    public int GatewayPort { get; set; } = 30000;

    /// <summary>When set, gateways are discovered from the cluster's Redis membership instead.</summary>
    public string? RedisConnectionString { get; set; }

    /// <summary>Sent with every call when the cluster requires API keys ("DSPex:Client:ApiKey"; the CLI also reads DSPEX_API_KEY).</summary>
    public string? ApiKey { get; set; }

    /// <summary>TLS to the gateways: on when <see cref="Tls.TlsFiles.CaFile"/> is set; the certificate and key are optional.</summary>
    public Tls.TlsFiles Tls { get; set; } = new();

    /// <summary>
    /// Largest arguments (UTF-8 bytes) a call may send; larger ones are refused locally with FrameTooLargeException.
    /// Set it to the silos' DSPex:Pool:MaxFrameBytes. (Orleans' own client limit is left alone: Orleans drops the
    /// connection over a message past it, failing other calls too.)
    /// </summary>
    public int MaxRequestBytes { get; set; } = Contracts.RequestLimits.DefaultMaxRequestBytes;

    /// <summary>How long a call waits for an answer before its silo is taken for gone (raise with the silos' timeouts).</summary>
    public Calls.CallLimits CallLimits { get; set; } = new();

    /// <summary>
    /// .NET tools the Python code of this client's requests may call (dspex.call_tool), each with a typed argument
    /// record whose JSON Schema is generated. Add them here, before the host starts; see docs/tools.md.
    /// </summary>
    public DSPex.Orleans.Tools.DSPexToolSet Tools { get; } = new();

    /// <summary>Adds a tool (see <see cref="Tools"/>): <c>o.AddTool&lt;LookupArgs, Person&gt;("lookup", "Finds a person", LookupAsync)</c>.</summary>
    public DSPexClientOptions AddTool<TArgs, TResult>(string name, string description, Func<TArgs, CancellationToken, Task<TResult>> handler,
        System.Text.Json.JsonSerializerOptions? json = null)
    {
        Tools.Add(name, description, handler, json);
        return this;
    }
}

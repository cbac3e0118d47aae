using DSPex.Orleans.Client;
using DSPex.Orleans.Client.Hosting;
using Microsoft.Extensions.Hosting;
using DSPex.Orleans.Tests.Infrastructure;

namespace DSPex.Orleans.Tests.Security;

/// <summary>
/// One real silo process with TLS and three API keys: two full keys (as during a rotation) and one allowed only
/// echo, sessions and nothing else.
/// </summary>
public sealed class TlsSiloFixture : IAsyncLifetime, IAsyncDisposable
{
    /// <summary>Settings added to (or overriding) the fixture's own, for a test that starts one itself.</summary>
    public IReadOnlyDictionary<string, string>? ExtraSettings { get; init; }

    public TestCertificates Certificates { get; } = new("cluster");

    public TemporaryDirectory State { get; } = new();

    public string FullKey { get; } = ApiKeys.New();

    public string NextKey { get; } = ApiKeys.New();

    public string EchoOnlyKey { get; } = ApiKeys.New();

    public RealSiloProcess Silo { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var settings = Certificates.SiloSettings("silo");
        foreach (var (key, value) in ApiKeys.Settings(
            ("full", FullKey, ["*"]), ("full-next", NextKey, ["*"]), ("echo-only", EchoOnlyKey, ["execute", "sessions", "command:echo"])))
        {
            settings[key] = value;
        }

        // The health loop's ping runs through the pool and counts as served; TrustBoundaryTests counts what the pool
        // served across several calls, which take longer than the default 5 s interval on a loaded machine.
        settings["DSPex:Silo:Health:ProbeInterval"] = "00:10:00";

        foreach (var (key, value) in ExtraSettings ?? new Dictionary<string, string>())
        {
            settings[key] = value;
        }

        Silo = RealSiloProcess.Start(RealSiloSettings.Fresh(State.Path) with { Extra = settings });
        await Silo.Warm.WaitAsync(TimeSpan.FromMinutes(2));
    }

    /// <summary>A client over TLS trusting the cluster's CA (unless told otherwise), with the given API key.</summary>
    public Task<(IHost Host, DSPexClient Client)> ConnectAsync(string? apiKey, Action<DSPexClientOptions>? configure = null) =>
        Silo.ConnectAsync(o =>
        {
            o.ApiKey = apiKey;
            o.Tls.CaFile = Certificates.CaFile;
            configure?.Invoke(o);
        }).WaitAsync(TimeSpan.FromMinutes(2));

    /// <summary>TLS handshakes the silo has refused so far (its TLS middleware logs each one).</summary>
    public int RefusedHandshakes => Silo.Output.Split('\n').Count(line => line.Contains("Authentication failed", StringComparison.Ordinal));

    /// <summary>
    /// Starts a client that the silo should refuse, waits until the silo has refused its TLS handshake, checks the
    /// client did not get connected, and stops it.
    /// </summary>
    public async Task AssertRefusedAsync(Action<DSPexClientOptions> configure)
    {
        var before = RefusedHandshakes;
        using var stop = new CancellationTokenSource();
        var connecting = DSPexClientHost.ConnectAsync(o =>
        {
            o.GatewayPort = Silo.Settings.GatewayPort;
            o.ClusterId = Silo.Settings.ClusterId;
            configure(o);
        }, stop.Token);
        // The client can give up on the handshake before the silo's log line for it reaches the pipe (the silo logs
        // through a background queue): wait for the line itself, stopping early only if the client got in.
        await Infrastructure.Eventually.HoldsAsync(() => RefusedHandshakes > before || connecting.IsCompletedSuccessfully, "the silo refuses the TLS handshake");
        Assert.False(connecting.IsCompletedSuccessfully, "the client connected");
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<Exception>(() => connecting);
    }

    async ValueTask IAsyncDisposable.DisposeAsync() => await DisposeAsync();

    public async Task DisposeAsync()
    {
        await Silo.DisposeAsync();
        State.Dispose();
        Certificates.Dispose();
    }
}

using DSPex.Orleans.Client;
using DSPex.Orleans.Client.Hosting;
using DSPex.Orleans.Tests.Infrastructure;
using Microsoft.Extensions.Hosting;

namespace DSPex.Orleans.Tests.Security;

/// <summary>
/// One real silo process with API keys (no TLS: what is tested here is what a caller sends once it is connected):
/// a full key, a second full key, and a scoped key that may run commands starting "ec" or "tool_", sessions, and
/// the tool "weather". Its workers load the tool test adapter.
/// </summary>
public sealed class BoundedCallerInputFixture : IAsyncLifetime
{
    public TemporaryDirectory State { get; } = new();

    public string FullKey { get; } = ApiKeys.New();

    public string OtherKey { get; } = ApiKeys.New();

    public string ScopedKey { get; } = ApiKeys.New();

    public RealSiloProcess Silo { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var settings = ApiKeys.Settings(("full", FullKey, ["*"]), ("other", OtherKey, ["*"]),
            ("scoped", ScopedKey, ["execute", "sessions", "stream", "command:ec*", "command:tool_*", "tool:weather"]));
        settings["DSPex:Pool:AdapterModules:2"] = "dspex_tool_test_adapter";
        // The health loop's ping runs through the pool and counts as served; a test here counts what the pool served
        // and takes longer than the default 5 s interval on a loaded machine.
        settings["DSPex:Silo:Health:ProbeInterval"] = "00:10:00";
        Silo = RealSiloProcess.Start(RealSiloSettings.Fresh(State.Path) with { Extra = settings, PoolSize = 1 });
        await Silo.Warm;
    }

    public Task<(IHost Host, DSPexClient Client)> ConnectAsync(string? apiKey, Action<DSPexClientOptions>? configure = null) =>
        Silo.ConnectAsync(o =>
        {
            o.ApiKey = apiKey;
            configure?.Invoke(o);
        });

    /// <summary>The silo's output lines so far.</summary>
    public string[] LogLines => Silo.Output.Split('\n');

    public async Task DisposeAsync()
    {
        await Silo.DisposeAsync();
        State.Dispose();
    }
}

using System.Net;
using System.Net.Sockets;
using DSPex.Orleans.Hosting;
using DSPex.Orleans.Tests.Infrastructure;

namespace DSPex.Orleans.Tests.HostHealth;

/// <summary>
/// A silo started on a port a running silo (or any process) listens on refuses to start: one line naming the setting
/// and the port, exit code 2, no pool warmed. (A second silo used to bind the first one's gateway and silo ports too,
/// Orleans' listeners being SO_REUSEPORT on Linux, and the kernel split connections between the two.)
/// </summary>
[Trait("Category", "Process")]
[Collection(TestSuite.SideBySide.PortTaken)]
public sealed class PortTakenTests
{
    [Fact]
    public async Task A_silo_on_a_running_silos_gateway_silo_or_HTTP_port_refuses_to_start_naming_the_port()
    {
        using var state = new TemporaryDirectory();
        var httpPort = FreePorts.Next();
        var first = RealSiloSettings.Fresh(state.Path) with { PoolSize = 1, Extra = new Dictionary<string, string> { ["DSPex:Silo:HttpPort"] = httpPort.ToString() } };
        await using var running = RealSiloProcess.Start(first);
        await running.Warm;

        var fresh = RealSiloSettings.Fresh(state.Path) with { PoolSize = 1 };
        await RefusedAsync(fresh with { GatewayPort = first.GatewayPort }, "DSPex:Silo:GatewayPort", first.GatewayPort);
        await RefusedAsync(fresh with { SiloPort = first.SiloPort }, "DSPex:Silo:SiloPort", first.SiloPort);
        await RefusedAsync(fresh with { Extra = new Dictionary<string, string> { ["DSPex:Silo:HttpPort"] = httpPort.ToString() } }, "DSPex:Silo:HttpPort", httpPort);

        // Any listener counts, not only a silo's.
        using var other = new TcpListener(IPAddress.Loopback, 0);
        other.Start();
        var taken = ((IPEndPoint)other.LocalEndpoint).Port;
        await RefusedAsync(fresh with { GatewayPort = taken }, "DSPex:Silo:GatewayPort", taken);

        // The running silo still serves alone on its ports.
        var (host, client) = await running.ConnectAsync();
        using var _ = host;
        Assert.Equal("\"pong\"", await client.ExecuteRawAsync("ping"));
    }

    private static async Task RefusedAsync(RealSiloSettings settings, string setting, int port)
    {
        await using var second = RealSiloProcess.Start(settings);
        Assert.Equal(2, await second.ExitAsync());
        var line = Assert.Single(second.Output.Split('\n'), l => l.StartsWith("dspex-silo: configuration error:", StringComparison.Ordinal));
        Assert.Contains($"{setting}: port {port} is already in use", line);
        Assert.DoesNotContain(SiloReadyLine.Prefix, second.Output);
    }
}

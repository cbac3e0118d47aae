using DSPex.Orleans.Contracts;
using DSPex.Orleans.Hosting;
using DSPex.Orleans.Tests.Infrastructure;

namespace DSPex.Orleans.Tests.HostHealth;

/// <summary>
/// The real silo says it serves with one structured line on stdout (SiloReadyLine), the signal every harness waits
/// for: its pid, its silo address and each pool's live workers, once the pools are warm.
/// </summary>
[Trait("Category", "Process")]
public sealed class ReadyLineTests
{
    [Fact]
    public async Task The_silo_writes_one_ready_line_naming_itself_and_its_warm_pools()
    {
        using var state = new TemporaryDirectory();
        var settings = RealSiloSettings.Fresh(state.Path) with { PoolSize = 2 };
        await using var silo = RealSiloProcess.Start(settings);
        await silo.Warm;

        var ready = Assert.IsType<SiloReady>(silo.Ready);
        Assert.Equal(silo.Pid, ready.Pid);
        Assert.Contains($":{settings.SiloPort}@", ready.Silo);
        var pool = Assert.Single(ready.Pools);
        Assert.Equal((PoolNames.Default, 2, 2), (pool.Name, pool.Live, pool.Size));
        Assert.True(ready.WarmUpMs >= 0);

        var (host, client) = await silo.ConnectAsync();
        using var _ = host;
        Assert.Equal("\"pong\"", await client.ExecuteRawAsync("ping"));
        Assert.Single(silo.Output.Split('\n'), line => line.StartsWith(SiloReadyLine.Prefix, StringComparison.Ordinal));
        Assert.Equal(0, await silo.StopAsync());
    }
}

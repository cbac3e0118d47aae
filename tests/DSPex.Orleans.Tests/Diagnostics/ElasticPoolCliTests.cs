using System.Text.Json;
using DSPex.Orleans.Tests.Infrastructure;

namespace DSPex.Orleans.Tests.Diagnostics;

/// <summary>
/// The real `dspex stats` and `dspex doctor` against a real silo whose pool is elastic (min 1, max 3): the table gains
/// min and max columns (it had only the current size, so an operator could not tell an elastic pool from a small fixed
/// one), and the doctor's silo check names the bounds and judges readiness against the floor.
/// </summary>
[Trait("Category", "Process")]
[Collection(TestSuite.SideBySide.ElasticPoolCli)]
public sealed class ElasticPoolCliTests : IDisposable
{
    private readonly TemporaryDirectory _state = new();

    public void Dispose() => _state.Dispose();

    [Fact]
    public async Task Stats_and_doctor_show_an_elastic_pools_floor_and_ceiling()
    {
        var elastic = new Dictionary<string, string> { ["DSPex:Pool:MinSize"] = "1", ["DSPex:Pool:MaxSize"] = "3" };
        await using var silo = RealSiloProcess.Start(RealSiloSettings.Fresh(_state.Path) with { Extra = elastic });
        await silo.Warm;
        string[] cluster = ["--gateway", $"127.0.0.1:{silo.Settings.GatewayPort}", "--cluster-id", silo.Settings.ClusterId];

        var (statsExit, table, statsError) = await CliProcess.RunAsync(["stats", .. cluster]);

        Assert.True(statsExit == 0, $"exit {statsExit}\n{table}\n{statsError}");
        var lines = table.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["silo", "size", "min", "max", "workers"], lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries)[..5]);
        Assert.Equal(["1", "1", "3", "1"], Assert.Single(lines[1..]).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..5]);

        var (_, report, doctorError) = await CliProcess.RunAsync(["doctor", "--json", .. cluster, "--state-dir", _state.Path,
            "--setting", $"DSPex:Silo:SiloPort={FreePorts.Next()}", "--setting", $"DSPex:Silo:GatewayPort={FreePorts.Next()}"]);

        using var json = JsonDocument.Parse(report);
        var check = json.RootElement.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("check").GetString() == "silo");
        Assert.True(check.GetProperty("status").GetString() == "pass", $"{report}\n{doctorError}");
        Assert.Contains(check.GetProperty("details").EnumerateArray(), d => d.GetString()!.Contains("1/1 workers (min 1, max 3)", StringComparison.Ordinal));
    }
}

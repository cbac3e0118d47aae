using DSPex.Orleans.Tests.Infrastructure;

namespace DSPex.Orleans.Tests.HostHealth;

/// <summary>The DSPex:Silo:Health settings (the operator's, in the silo's configuration) refuse a value the loop could not run with: one line, exit 2.</summary>
[Trait("Category", "Process")]
public sealed class HealthSettingsTests
{
    [Theory]
    [InlineData("ProbeInterval", "00:00:00")]
    [InlineData("ProbeTimeout", "-00:00:01")]
    [InlineData("MembershipLossLimit", "2.00:00:00")]
    public async Task A_health_setting_out_of_range_stops_the_start_naming_it(string setting, string value)
    {
        using var state = new TemporaryDirectory();
        await using var silo = RealSiloProcess.Start(RealSiloSettings.Fresh(state.Path) with
        {
            PoolSize = 1,
            Extra = new Dictionary<string, string> { [$"DSPex:Silo:Health:{setting}"] = value },
        });
        Assert.Equal(2, await silo.ExitAsync());
        var line = Assert.Single(silo.Output.Split('\n'), l => l.StartsWith("dspex-silo: configuration error:", StringComparison.Ordinal));
        Assert.Contains($"DSPex:Silo:Health:{setting} must be a positive duration of at most a day", line);
    }
}

using DSPex.Orleans.Tests.Infrastructure;

namespace DSPex.Orleans.Tests.Lifecycle;

/// <summary>
/// The membership settings (DSPex:Silo:Membership) are the operator's: a value that would declare healthy silos dead
/// or never declare dead ones stops a real silo process at start with one line naming the setting.
/// </summary>
[Trait("Category", "Process")]
public sealed class MembershipSettingsTests
{
    [Theory]
    [InlineData("DSPex:Silo:Membership:Preset", "fastest", "DSPex:Silo:Membership:Preset must be one of fast-failover, orleans-defaults (is 'fastest')")]
    [InlineData("DSPex:Silo:Membership:ProbeTimeout", "00:00:00.010", "DSPex:Silo:Membership:ProbeTimeout must be between 200 ms and 1 minute")]
    [InlineData("DSPex:Silo:Membership:MissedProbesLimit", "0", "DSPex:Silo:Membership:MissedProbesLimit must be between 1 and 10 (is 0)")]
    public async Task A_membership_setting_out_of_range_stops_the_silo_naming_it(string key, string value, string message)
    {
        using var state = new TemporaryDirectory();
        await using var silo = RealSiloProcess.Start(RealSiloSettings.Fresh(state.Path) with
        {
            Extra = new Dictionary<string, string> { [key] = value },
        });

        var exitCode = await silo.ExitAsync();

        Assert.True(exitCode != 0, $"exit code {exitCode}:\n{silo.Output}");
        Assert.Contains(message, silo.Output);
    }
}

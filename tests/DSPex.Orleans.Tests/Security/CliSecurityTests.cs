using DSPex.Orleans.Tests.Infrastructure;

namespace DSPex.Orleans.Tests.Security;

/// <summary>
/// The dspex CLI against the TLS silo with API keys: --tls-ca turns TLS on, the key comes from --api-key or
/// DSPEX_API_KEY, and a refusal is printed as its kind with exit code 2 (exec) or 4 (other commands), never a stack trace.
/// </summary>
[Trait("Category", "Process")]
[Collection(TestSuite.SideBySide.CliSecurity)]
public sealed class CliSecurityTests(TlsSiloFixture fixture) : IClassFixture<TlsSiloFixture>
{
    [Fact]
    public async Task TheKeyFromTheEnvironmentOrTheCommandLineIsSentOverTls()
    {
        var fromEnvironment = await RunAsync(["exec", "echo", "--args", "{\"via\":\"env\"}"], fixture.FullKey);
        Assert.True(fromEnvironment.ExitCode == 0, fromEnvironment.Output);
        Assert.Contains("env", fromEnvironment.Output);

        var fromOption = await RunAsync(["exec", "echo", "--args", "{\"via\":\"option\"}", "--api-key", fixture.NextKey], null);
        Assert.True(fromOption.ExitCode == 0, fromOption.Output);
        Assert.Contains("option", fromOption.Output);
    }

    [Fact]
    public async Task RefusalsArePrintedAsTheirKind()
    {
        var wrong = await RunAsync(["exec", "echo"], ApiKeys.New());
        Assert.Equal(4, wrong.ExitCode);
        Assert.Contains("Unauthenticated", wrong.Output);
        Assert.DoesNotContain("   at ", wrong.Output);

        var forbidden = await RunAsync(["stats"], fixture.EchoOnlyKey);
        Assert.Equal(4, forbidden.ExitCode);
        Assert.Contains("Forbidden", forbidden.Output);
        Assert.Contains("stats", forbidden.Output);
    }

    private async Task<(int ExitCode, string Output)> RunAsync(string[] args, string? environmentKey)
    {
        var (exitCode, stdout, stderr) = await CliProcess.RunAsync(
            [.. args, "--gateway-port", fixture.Silo.Settings.GatewayPort.ToString(), "--cluster-id", fixture.Silo.Settings.ClusterId, "--tls-ca", fixture.Certificates.CaFile],
            new Dictionary<string, string?> { ["DSPEX_API_KEY"] = environmentKey });
        return (exitCode, stdout + stderr);
    }
}

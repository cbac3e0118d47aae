using System.Diagnostics;
using DSPex.Orleans.Tests.ProcessSafety;

namespace DSPex.Orleans.Tests.Security;

/// <summary>
/// The dspex CLI against the TLS silo with API keys: --tls-ca turns TLS on, the key comes from --api-key or
/// DSPEX_API_KEY, and a refusal is printed as its kind with exit code 2 (exec) or 4 (other commands), never a stack trace.
/// </summary>
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

    /// <summary>client/DSPex.Orleans.Cli/bin/&lt;configuration&gt;/&lt;tfm&gt;/dspex.dll, beside the silo's build output.</summary>
    private static string CliAssembly
    {
        get
        {
            var tfm = new DirectoryInfo(Path.GetDirectoryName(RealSiloProcess.SiloAssembly)!);
            var configuration = tfm.Parent!;
            var repository = configuration.Parent!.Parent!.Parent!;
            return Path.Combine(repository.FullName, "client", "DSPex.Orleans.Cli", "bin", configuration.Name, tfm.Name, "dspex.dll");
        }
    }

    private async Task<(int ExitCode, string Output)> RunAsync(string[] args, string? environmentKey)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(CliAssembly);
        foreach (var arg in args.Concat(["--gateway-port", fixture.Silo.Settings.GatewayPort.ToString(), "--cluster-id", fixture.Silo.Settings.ClusterId,
            "--tls-ca", fixture.Certificates.CaFile]))
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment.Remove("DSPEX_API_KEY");
        if (environmentKey is not null)
        {
            start.Environment["DSPEX_API_KEY"] = environmentKey;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        return (process.ExitCode, await output + await error);
    }
}

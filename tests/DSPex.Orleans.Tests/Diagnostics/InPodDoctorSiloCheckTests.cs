using System.Text.Json;
using DSPex.Orleans.Tests.Infrastructure;
using DSPex.Orleans.Tests.Security;

namespace DSPex.Orleans.Tests.Diagnostics;

/// <summary>
/// The in-pod doctor command of docs/operations.md against a silo set up as the shipped manifest sets one up (TLS with
/// a client certificate required, callers known only by key hashes, a `metrics` credential with only the `stats`
/// scope): with the options the docs give (the pod's CA, the silo's own certificate and key, the cluster id, the
/// metrics key in DSPEX_API_KEY) the silo check passes; with the command the docs gave before (no key, no TLS) it fails.
/// InPodDoctorCommandTests (unit) holds the docs' command to deploy/; this runs its options for real.
/// </summary>
[Trait("Category", "Process")]
public sealed class InPodDoctorSiloCheckTests : IDisposable
{
    private readonly TemporaryDirectory _state = new();
    private readonly TestCertificates _certificates = new("pod");

    public void Dispose()
    {
        _certificates.Dispose();
        _state.Dispose();
    }

    [Fact]
    public async Task The_documented_options_pass_the_silo_check_and_the_old_command_did_not()
    {
        var metricsKey = ApiKeys.New();
        var (certificate, key) = _certificates.Issue("dspex-silo");
        var settings = new Dictionary<string, string>
        {
            ["DSPex:Security:Tls:CertificateFile"] = certificate,
            ["DSPex:Security:Tls:KeyFile"] = key,
            ["DSPex:Security:Tls:CaFile"] = _certificates.CaFile,
            ["DSPex:Security:Tls:RequireClientCertificate"] = "true",
        };
        foreach (var (name, value) in ApiKeys.Settings(("app", ApiKeys.New(), ["execute"]), ("metrics", metricsKey, ["stats"])))
        {
            settings[name] = value;
        }

        await using var silo = RealSiloProcess.Start(RealSiloSettings.Fresh(_state.Path) with { Extra = settings });
        await silo.Warm.WaitAsync(TestBounds.Start);
        string[] gateway = ["--gateway", $"127.0.0.1:{silo.Settings.GatewayPort}", "--cluster-id", silo.Settings.ClusterId];

        var documented = await SiloCheckAsync(
            [.. gateway, "--tls-ca", _certificates.CaFile, "--tls-cert", certificate, "--tls-key", key], metricsKey);
        Assert.True(documented.Status == "pass", $"the documented in-pod command's silo check: {documented.Report}");

        // Expected to fail: the CLI's own 20 s wait for admission runs out (the generous hang-guard timeout the test
        // harness adds would outlast the run's bound).
        var before = await SiloCheckAsync([.. gateway, "--connect-timeout", "20"], null);
        Assert.True(before.Status == "fail", $"the command without key and TLS options passed its silo check: {before.Report}");
    }

    private async Task<(string? Status, string Report)> SiloCheckAsync(string[] connection, string? apiKey)
    {
        var (_, stdout, stderr) = await CliProcess.RunAsync(
            ["doctor", "--json", .. connection, "--state-dir", _state.Path,
             "--setting", $"DSPex:Silo:SiloPort={FreePorts.Next()}", "--setting", $"DSPex:Silo:GatewayPort={FreePorts.Next()}"],
            new Dictionary<string, string?> { ["DSPEX_API_KEY"] = apiKey });
        using var report = JsonDocument.Parse(stdout);
        var check = report.RootElement.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("check").GetString() == "silo");
        return (check.GetProperty("status").GetString(), $"{stdout}\n{stderr}");
    }
}

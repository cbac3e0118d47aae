using System.Text.Json;
using DSPex.Orleans.Tests.Infrastructure;

namespace DSPex.Orleans.Tests.Diagnostics;

/// <summary>
/// The real `dspex doctor` as its own process: on this machine (JSON shape, exit code 0), with failing settings
/// (exit code 1, the failures named, no secret printed), and against a running silo (its pools reported ready).
/// </summary>
[Trait("Category", "Process")]
public sealed class DoctorCliTests : IDisposable
{
    private static readonly string[] Statuses = ["pass", "warn", "fail", "skip"];

    private readonly TemporaryDirectory _state = new();

    public void Dispose() => _state.Dispose();

    [Fact]
    public async Task Doctor_json_on_this_machine_passes_and_has_one_entry_per_check()
    {
        var config = WriteConfig(new { DSPex = new { Pool = new { Size = 2, AdapterModules = new[] { "dspex_test_adapter" }, AdapterPaths = new[] { TestClusters.TestAdapterPath } } } });

        var (exitCode, stdout, stderr) = await CliProcess.RunAsync(["doctor", "--json", "--config", config, .. MachineSettings()]);

        Assert.True(exitCode == 0, $"exit {exitCode}\n{stdout}\n{stderr}");
        using var report = JsonDocument.Parse(stdout);
        var root = report.RootElement;
        Assert.True(root.GetProperty("ok").GetBoolean());
        Assert.Equal(0, root.GetProperty("exitCode").GetInt32());
        Assert.Equal(0, root.GetProperty("failed").GetInt32());
        var checks = root.GetProperty("checks").EnumerateArray().ToDictionary(c => c.GetProperty("check").GetString()!);
        foreach (var name in new[] { "pool default: python", "pool default: adapters", "pool default: duplicate commands", "pool default: thread limits",
                     "state directory", "redis", "tls (silo)", "ports", "silo", "settings DSPex:Pool" })
        {
            Assert.Contains(name, checks.Keys);
        }

        foreach (var check in checks.Values)
        {
            Assert.Contains(check.GetProperty("status").GetString(), Statuses);
            Assert.Equal(JsonValueKind.String, check.GetProperty("summary").ValueKind);
            Assert.Equal(JsonValueKind.Array, check.GetProperty("details").ValueKind);
        }

        Assert.Equal("pass", checks["pool default: adapters"].GetProperty("status").GetString());
        Assert.Contains(checks["pool default: adapters"].GetProperty("details").EnumerateArray(), d => d.GetString()!.Contains("raise_error", StringComparison.Ordinal));
        Assert.Equal("skip", checks["redis"].GetProperty("status").GetString());
    }

    [Fact]
    public async Task Failing_checks_exit_1_name_the_settings_and_print_no_secret()
    {
        const string Password = "doctor-secret-3b9f";
        var config = WriteConfig(new { DSPex = new { Pool = new { PythonExecutable = "/nonexistent/python3" } } });

        var (exitCode, stdout, stderr) = await CliProcess.RunAsync(
            ["doctor", "--config", config, .. MachineSettings(), "--setting", $"DSPex:Silo:RedisConnectionString=127.0.0.1:{FreePorts.Next()},password={Password},connectTimeout=2000"],
            new Dictionary<string, string?> { ["DSPex__Pool__Size"] = "0" });

        Assert.Equal(1, exitCode);
        Assert.Contains("FAIL  pool default: python", stdout, StringComparison.Ordinal);
        Assert.Contains("DSPex:Pool:PythonExecutable: Python executable '/nonexistent/python3'", stdout, StringComparison.Ordinal);
        Assert.Contains("DSPex:Pool:Size must be positive (is 0).", stdout, StringComparison.Ordinal); // from the environment, as a silo reads it
        Assert.Contains("DSPex:Silo:RedisConnectionString: Redis at '127.0.0.1:", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, stdout + stderr, StringComparison.Ordinal);
        Assert.EndsWith("check(s) failed, 0 warning(s)", stdout.TrimEnd(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--setting", "DSPex:Pool:Size")]
    [InlineData("--config", "/nonexistent/appsettings.json")]
    [InlineData("--listing-timeout", "-1")]
    [InlineData("--setting", "DSPex:Pools:gpu:Size=many")]
    public async Task Doctor_that_cannot_run_exits_2_with_one_typed_line(string option, string value)
    {
        var (exitCode, stdout, stderr) = await CliProcess.RunAsync(["doctor", option, value]);

        Assert.Equal(2, exitCode);
        Assert.Equal("", stdout);
        Assert.StartsWith("error: InvalidArguments: ", Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Doctor_reports_what_a_running_silo_says()
    {
        await using var silo = RealSiloProcess.Start(RealSiloSettings.Fresh(_state.Path));
        await silo.Warm;

        var (exitCode, stdout, stderr) = await CliProcess.RunAsync(
            ["doctor", "--json", "--gateway", $"127.0.0.1:{silo.Settings.GatewayPort}", "--cluster-id", silo.Settings.ClusterId, .. MachineSettings()]);

        using var report = JsonDocument.Parse(stdout);
        var check = report.RootElement.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("check").GetString() == "silo");
        Assert.True(check.GetProperty("status").GetString() == "pass", $"{stdout}\n{stderr}");
        Assert.Contains("every pool ready (2 workers)", check.GetProperty("summary").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, exitCode);
    }

    /// <summary>Ports nothing else holds and a registry folder of this test's own, so the result depends on nothing running here.</summary>
    private IEnumerable<string> MachineSettings() =>
    [
        "--state-dir", _state.Path,
        "--setting", $"DSPex:Silo:SiloPort={FreePorts.Next()}",
        "--setting", $"DSPex:Silo:GatewayPort={FreePorts.Next()}",
    ];

    private string WriteConfig(object settings)
    {
        var path = System.IO.Path.Combine(_state.Path, $"appsettings-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, JsonSerializer.Serialize(settings));
        return path;
    }
}

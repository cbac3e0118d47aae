using DSPex.Orleans.Tests.Infrastructure;

namespace DSPex.Orleans.Tests.EndToEnd;

/// <summary>
/// The CLI as users get it: the DSPex.Orleans.Cli tool package, installed with `dotnet tool install` from a local feed
/// (the one `.ci/run` packs into artifacts/packages, named by DSPEX_PACKAGES_DIR; run alone, the test packs this build
/// into a temporary feed) into a tool path of its own, then `dspex doctor` and `dspex exec ping` against a real silo.
/// </summary>
[Trait("Category", "Process")]
public sealed class CliToolTests : IDisposable
{
    private const string PackageId = "DSPex.Orleans.Cli";
    private readonly TemporaryDirectory _work = new();

    public void Dispose() => _work.Dispose();

    [Fact]
    public async Task The_tool_installs_from_the_local_feed_and_its_doctor_and_exec_answer_a_real_silo()
    {
        var (feed, version) = await FeedAsync();
        var tools = Path.Combine(_work.Path, "tools");
        var (installExit, installOut, installErr) = await DotnetProcess.RunAsync(_work.Path, TestBounds.Start,
            "tool", "install", PackageId, "--tool-path", tools, "--add-source", feed, "--version", version, "--ignore-failed-sources");
        Assert.True(installExit == 0, $"dotnet tool install failed ({installExit}):\n{installOut}\n{installErr}");
        var dspex = Path.Combine(tools, "dspex");
        Assert.True(File.Exists(dspex), $"no dspex command in {tools}");

        await using var silo = RealSiloProcess.Start(RealSiloSettings.Fresh(_work.Path));
        await silo.Warm;
        // The installed tool runs without CliProcess, so it gets CliProcess's hang guard here: the CLI's default 20 s
        // wait for admission ran out under a loaded CI machine (SiloUnavailable "not admitted within 20 s").
        string[] cluster = ["--gateway", $"127.0.0.1:{silo.Settings.GatewayPort}", "--cluster-id", silo.Settings.ClusterId, "--connect-timeout", CliProcess.GenerousConnectTimeoutSeconds];

        var (pingExit, pingOut, pingErr) = await RunAsync(dspex, [.. cluster, "exec", "ping"]);
        Assert.True(pingExit == 0, $"dspex exec ping failed ({pingExit}):\n{pingOut}\n{pingErr}");
        Assert.Equal("\"pong\"", pingOut.Trim());

        // The doctor of the installed tool: its own bridge (in the tool's folder) lists the adapters, and the silo answers.
        var (doctorExit, doctorOut, doctorErr) = await RunAsync(dspex,
        [
            "doctor", .. cluster,
            "--state-dir", Path.Combine(_work.Path, "doctor-state"),
            "--adapter", "dspex_test_adapter", "--adapter-path", TestClusters.TestAdapterPath,
            "--setting", $"DSPex:Silo:SiloPort={FreePorts.Next()}",
            "--setting", $"DSPex:Silo:GatewayPort={FreePorts.Next()}",
        ]);
        Assert.True(doctorExit == 0, $"dspex doctor failed ({doctorExit}):\n{doctorOut}\n{doctorErr}");
        Assert.Contains("every pool ready", doctorOut, StringComparison.Ordinal);
    }

    /// <summary>The feed holding the tool package and its version: CI's, or this build packed into a temporary folder.</summary>
    private async Task<(string Feed, string Version)> FeedAsync()
    {
        if (Environment.GetEnvironmentVariable("DSPEX_PACKAGES_DIR") is { Length: > 0 } fromCi)
        {
            var feed = Path.GetFullPath(fromCi, Repository.Root);
            var package = Directory.GetFiles(feed, $"{PackageId}.*.nupkg").SingleOrDefault(f => !f.EndsWith(".snupkg", StringComparison.Ordinal));
            Assert.True(package is not null, $"{feed} holds no {PackageId} package: .ci/run packs it");
            return (feed, Path.GetFileNameWithoutExtension(package)[(PackageId.Length + 1)..]);
        }

        var temporary = Path.Combine(_work.Path, "feed");
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        var suffix = $"tool.{DateTime.UtcNow:yyyyMMddHHmmss}.{Environment.ProcessId}";
        var (exit, stdout, stderr) = await DotnetProcess.RunAsync(Repository.Root, TestBounds.Start,
            "pack", "client/DSPex.Orleans.Cli/DSPex.Orleans.Cli.csproj", "-c", configuration, "--no-build", "-o", temporary, $"-p:VersionSuffix={suffix}", "-nodeReuse:false");
        Assert.True(exit == 0, $"dotnet pack of the CLI failed ({exit}):\n{stdout}\n{stderr}");
        var packed = Assert.Single(Directory.GetFiles(temporary, $"{PackageId}.*.nupkg"));
        return (temporary, Path.GetFileNameWithoutExtension(packed)[(PackageId.Length + 1)..]);
    }

    /// <summary>Runs the installed command to completion; one that does not exit within the bound is killed by its pid.</summary>
    private static Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string command, IEnumerable<string> arguments) =>
        ProcessRun.RunAsync(command, arguments, TestBounds.Exit);
}

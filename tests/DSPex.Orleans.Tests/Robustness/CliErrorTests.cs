using DSPex.Orleans.Tests.Infrastructure;

namespace DSPex.Orleans.Tests.Robustness;

/// <summary>
/// The dspex CLI, run as its own process against the test cluster: every failure is one line on stderr,
/// "error: Kind: message", with a non-zero exit code and no stack trace (security review M5).
/// </summary>
[Trait("Category", "Cluster")]
[Collection(TestSuite.SideBySide.Cli)]
public sealed class CliErrorTests(RobustnessClusterFixture fixture)
{
    /// <summary>What a .NET stack frame looks like: "at Namespace.Type.Method(".</summary>
    internal const string StackFrame = @"\bat [\w.`<>]+\.[\w`<>]+\(";

    public static TheoryData<string[], string> Failures => new()
    {
        { ["exec", "echo", "--args", "{not json"], "InvalidArguments" },
        { ["exec", "ping me"], "InvalidArguments" },
        { ["exec", "ping", "--timeout", "-1"], "InvalidArguments" },
        { ["exec", "ping", "--timeout", "1e300"], "InvalidArguments" },
        { ["exec", "raise_error", "--args", """{"message":"boom"}"""], "PythonException" },
        { ["exec", "no_such_command"], "UnknownCommand" },
        { ["exec", "sleep", "--args", """{"seconds":60}""", "--timeout", "0.2"], "DeadlineExceeded" },
        { ["session", "exec", "", "ping"], "InvalidArguments" },
        { ["session", "set-var", "cli-session", "v", "{bad"], "InvalidArguments" },
        { ["session", "run-program", "cli-session", "no-such-program"], "ProgramNotFound" },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public async Task A_failure_is_one_typed_line_on_stderr_and_a_non_zero_exit(string[] command, string kind)
    {
        var (exitCode, stdout, stderr) = await RunAsync(command);

        Assert.NotEqual(0, exitCode);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"error: {kind}: ", line);
        Assert.DoesNotMatch(StackFrame, line);
        Assert.DoesNotContain("Traceback", line);
        Assert.Equal("", stdout.Trim());
    }

    [Fact]
    public async Task A_success_prints_the_result_and_exits_zero()
    {
        var (exitCode, stdout, stderr) = await RunAsync(["exec", "ping"]);
        Assert.Equal(0, exitCode);
        Assert.Equal("\"pong\"", stdout.Trim());
        Assert.Equal("", stderr);
    }

    [Fact]
    public async Task An_unreachable_cluster_is_one_typed_line_within_the_connect_timeout()
    {
        var deadPort = FreePorts.Next();

        var (exitCode, stdout, stderr) = await RunAsync(["exec", "ping"], $"127.0.0.1:{deadPort}", ["--connect-timeout", "2"]);
        Assert.Equal(3, exitCode);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: SiloUnavailable: cannot reach cluster", line);
        Assert.True(stdout.Trim() == "", stdout);
    }

    [Fact]
    public async Task The_environment_variables_name_the_cluster_in_place_of_the_options()
    {
        var (exitCode, stdout, stderr) = await CliProcess.RunAsync(["exec", "ping"], new Dictionary<string, string?>
        {
            ["DSPEX_GATEWAY"] = fixture.Cluster.Primary!.GatewayAddress.Endpoint.ToString(),
            ["DSPEX_CLUSTER_ID"] = fixture.Cluster.Options.ClusterId,
            ["DSPEX_SERVICE_ID"] = fixture.Cluster.Options.ServiceId,
        });
        Assert.True(exitCode == 0, stderr);
        Assert.Equal("\"pong\"", stdout.Trim());
    }

    [Fact]
    public async Task A_wrong_cluster_id_says_a_gateway_answered_and_names_the_setting()
    {
        var (exitCode, _, stderr) = await CliProcess.RunAsync(
        [
            "--gateway", fixture.Cluster.Primary!.GatewayAddress.Endpoint.ToString(),
            "--cluster-id", "not-this-cluster",
            "--service-id", fixture.Cluster.Options.ServiceId,
            "--connect-timeout", "3",
            "exec", "ping",
        ]);
        Assert.Equal(3, exitCode);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: SiloUnavailable: cannot reach cluster 'not-this-cluster'", line, StringComparison.Ordinal);
        Assert.DoesNotContain("no gateway answered", line, StringComparison.Ordinal);
        Assert.Contains("--cluster-id", line, StringComparison.Ordinal);
    }

    private Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string[] command, string? gateway = null, string[]? extra = null) =>
        CliProcess.RunAsync(
        [
            "--gateway", gateway ?? fixture.Cluster.Primary!.GatewayAddress.Endpoint.ToString(),
            "--cluster-id", fixture.Cluster.Options.ClusterId,
            "--service-id", fixture.Cluster.Options.ServiceId,
            .. extra ?? [],
            .. command,
        ]);
}

using DSPex.Orleans.Tests.Infrastructure;

namespace DSPex.Orleans.Tests.Robustness;

/// <summary>
/// The dspex CLI's input, with no cluster: bad input is exit 2 with one typed line naming the option (checked before
/// anything connects: the gateway given refuses connections, which would be exit 3); a gateway that refuses the
/// connection is exit 3 at once ("connection refused", not a wait for the connect timeout); DSPEX_GATEWAY and
/// DSPEX_CLUSTER_ID stand in for the options.
/// </summary>
[Trait("Category", "Process")]
public sealed class CliInputTests
{
    public static TheoryData<string[], string> BadInput => new()
    {
        { ["exec", "ping", "--timeout", "abc"], "--timeout is 'abc'" },
        { ["exec", "echo", "--args", "{not json"], "--args is not valid JSON" },
        { ["stream", "count", "--args", "[1,"], "--args is not valid JSON" },
        { ["exec", "ping", "--connect-timeout", "soon"], "--connect-timeout is 'soon'" },
        { ["session", "create", "s1", "--ttl", "1h"], "--ttl is '1h'" },
        { ["session", "set-var", "s1", "v", "{bad"], "value-json is not valid JSON" },
        { ["session", "create-program", "s1", "p", "--spec", "{"], "--spec is not valid JSON" },
        { ["--gateway", "127.0.0.1", "exec", "ping"], "--gateway '127.0.0.1' is not host:port" },
        { ["--gateway", "127.0.0.1:99999", "exec", "ping"], "--gateway '127.0.0.1:99999' is not host:port" },
        { ["--gateway", "localhost:", "exec", "ping"], "--gateway 'localhost:' is not host:port" },
        { ["exec", "echo", "--part", "/nonexistent/dspex-part.bin"], "--part '/nonexistent/dspex-part.bin' is not a file that exists" },
        { ["exec", "echo", "--parts-out", CliProcess.Assembly], $"--parts-out '{CliProcess.Assembly}' is a file, not a directory" },
    };

    [Theory]
    [MemberData(nameof(BadInput))]
    public async Task Bad_input_is_exit_2_naming_the_option(string[] command, string expected)
    {
        // A gateway that refuses: had the CLI tried to connect, it would exit 3.
        var (exitCode, stdout, stderr) = await CliProcess.RunAsync(command, Refusing());

        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(2, exitCode);
        Assert.StartsWith("error: InvalidArguments: ", line, StringComparison.Ordinal);
        Assert.Contains(expected, line, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", line, StringComparison.Ordinal);
        Assert.Equal("", stdout);
    }

    [Fact]
    public async Task A_refused_connection_is_exit_3_at_once_not_after_the_connect_timeout()
    {
        var dead = FreePorts.Next();

        // The default connect timeout (20 s) applies: the message says the connection was refused, not that the wait ran out.
        var (exitCode, stdout, stderr) = await CliProcess.RunAsync(["--gateway", $"127.0.0.1:{dead}", "exec", "ping"]);

        Assert.Equal(3, exitCode);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: SiloUnavailable: cannot reach cluster 'dspex-dev' at 127.0.0.1:", line, StringComparison.Ordinal);
        Assert.Contains("connection refused", line, StringComparison.Ordinal);
        Assert.Equal("", stdout);
    }

    [Fact]
    public async Task The_environment_names_the_gateway_and_the_cluster_when_the_options_do_not()
    {
        var dead = FreePorts.Next();
        var environment = new Dictionary<string, string?>
        {
            ["DSPEX_GATEWAY"] = $"127.0.0.1:{dead}",
            ["DSPEX_CLUSTER_ID"] = "from-the-environment",
        };

        var (exitCode, _, stderr) = await CliProcess.RunAsync(["exec", "ping"], environment);
        Assert.Equal(3, exitCode);
        Assert.Contains($"cannot reach cluster 'from-the-environment' at 127.0.0.1:{dead}: connection refused", stderr, StringComparison.Ordinal);

        // An option on the command line wins over the environment.
        var (_, _, overridden) = await CliProcess.RunAsync(["--cluster-id", "from-the-option", "exec", "ping"], environment);
        Assert.Contains("cannot reach cluster 'from-the-option'", overridden, StringComparison.Ordinal);
    }

    private static Dictionary<string, string?> Refusing() => new() { ["DSPEX_GATEWAY"] = $"127.0.0.1:{FreePorts.Next()}" };
}

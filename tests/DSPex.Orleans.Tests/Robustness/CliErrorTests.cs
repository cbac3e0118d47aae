using System.Diagnostics;

namespace DSPex.Orleans.Tests.Robustness;

/// <summary>
/// The dspex CLI, run as its own process against the test cluster: every failure is one line on stderr,
/// "error: Kind: message", with a non-zero exit code and no stack trace (security review M5).
/// </summary>
[Collection(RobustnessCollection.Name)]
public sealed class CliErrorTests(RobustnessClusterFixture fixture)
{
    private static readonly TimeSpan ExitBound = TimeSpan.FromMinutes(2);

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
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var deadPort = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var (exitCode, stdout, stderr) = await RunAsync(["exec", "ping"], $"127.0.0.1:{deadPort}", ["--connect-timeout", "2"]);
        Assert.Equal(3, exitCode);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: SiloUnavailable: cannot reach cluster", line);
        Assert.True(stdout.Trim() == "", stdout);
    }

    private static string CliAssembly
    {
        get
        {
            // tests/DSPex.Orleans.Tests/bin/<configuration>/<tfm>/ -> client/DSPex.Orleans.Cli/bin/<configuration>/<tfm>/dspex.dll
            var tfm = new DirectoryInfo(AppContext.BaseDirectory);
            var configuration = tfm.Parent!;
            var repository = configuration.Parent!.Parent!.Parent!.Parent!;
            return Path.Combine(repository.FullName, "client", "DSPex.Orleans.Cli", "bin", configuration.Name, tfm.Name, "dspex.dll");
        }
    }

    private async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string[] command, string? gateway = null, string[]? extra = null)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        start.ArgumentList.Add(CliAssembly);
        start.ArgumentList.Add("--gateway");
        start.ArgumentList.Add(gateway ?? fixture.Cluster.Primary!.GatewayAddress.Endpoint.ToString());
        start.ArgumentList.Add("--cluster-id");
        start.ArgumentList.Add(fixture.Cluster.Options.ClusterId);
        start.ArgumentList.Add("--service-id");
        start.ArgumentList.Add(fixture.Cluster.Options.ServiceId);
        foreach (var part in (extra ?? []).Concat(command))
        {
            start.ArgumentList.Add(part);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var bound = new CancellationTokenSource(ExitBound);
        try
        {
            await process.WaitForExitAsync(bound.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dspex {string.Join(' ', command)} (pid {process.Id}) did not exit; it was killed");
        }

        return (process.ExitCode, await stdout, await stderr);
    }
}

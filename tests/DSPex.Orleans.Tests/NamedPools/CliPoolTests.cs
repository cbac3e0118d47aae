using System.Diagnostics.CodeAnalysis;
using DSPex.Orleans.Tests.Infrastructure;

namespace DSPex.Orleans.Tests.NamedPools;

/// <summary>
/// The dspex CLI (its own process, as a user runs it) against a real silo with the default pool and two named pools:
/// `tiny` (its own adapter and environment) and `broken` (an interpreter that does not exist). --pool runs exec, stream
/// and sessions in the named pool; stats shows a row per pool with why `broken` failed to start; a malformed or unknown
/// pool name, or a session call naming another pool, is one typed line on stderr with exit code 2.
/// </summary>
[Trait("Category", "Process")]
[Collection(TestSuite.SideBySide.CliPool)]
public sealed class CliPoolTests(CliPoolTests.PoolsSilo silo) : IClassFixture<CliPoolTests.PoolsSilo>
{
    [Fact]
    public async Task Exec_and_stream_run_in_the_pool_they_name_or_the_one_that_registers_the_command()
    {
        var named = await Succeeds(["exec", "pool_marker", "--pool", "tiny"]);
        var routed = await Succeeds(["exec", "pool_marker"]);
        var stream = await Succeeds(["stream", "pool_count", "--args", """{"count":3}""", "--pool", "tiny"]);
        var shared = await Succeeds(["exec", "async_sleep", "--pool", "default", "--args", """{"ms":1}"""]);

        Assert.Equal("\"tiny\"", named.Trim());
        Assert.Equal("\"tiny\"", routed.Trim());
        Assert.Equal(["""{"i":0,"marker":"tiny"}""", """{"i":1,"marker":"tiny"}""", """{"i":2,"marker":"tiny"}"""],
            stream.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Replace(" ", "", StringComparison.Ordinal)));
        Assert.Contains("\"slept_ms\"", shared, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_session_created_in_a_pool_runs_there_and_refuses_a_call_naming_another()
    {
        var id = $"cli-pool-{Guid.NewGuid():N}";

        var created = await Succeeds(["session", "create", id, "--pool", "tiny"]);
        var marker = await Succeeds(["session", "exec", id, "pool_marker"]);
        var (exitCode, stdout, stderr) = await RunAsync(["session", "exec", id, "ping", "--pool", "default"]);

        Assert.Contains("\"Pool\": \"tiny\"", created, StringComparison.Ordinal);
        Assert.Equal("\"tiny\"", marker.Trim());
        AssertTypedFailure(exitCode, stdout, stderr, $"error: InvalidArguments: session '{id}' runs in pool tiny; a call in it cannot name pool default");
    }

    [Fact]
    public async Task Stream_with_a_session_reads_its_variables_in_its_pool_and_is_counted_in_it()
    {
        var id = $"cli-stream-{Guid.NewGuid():N}";

        await Succeeds(["session", "create", id, "--pool", "tiny"]);
        await Succeeds(["session", "set-var", id, "greeting", "\"hi\""]);
        // No --pool: the session's pool (tiny) runs it, as a session call runs in its session's pool.
        var stream = await Succeeds(["stream", "pool_session_items", "--session", id, "--args", """{"count":2}"""]);
        var info = await Succeeds(["session", "info", id]);

        Assert.Equal(["""{"i":0,"greeting":"hi","marker":"tiny"}""", """{"i":1,"greeting":"hi","marker":"tiny"}"""],
            stream.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Replace(" ", "", StringComparison.Ordinal)));
        Assert.Contains("\"streams\": 1", info, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stream_with_a_session_naming_another_pool_is_refused_with_a_typed_line()
    {
        var id = $"cli-stream-{Guid.NewGuid():N}";
        await Succeeds(["session", "create", id, "--pool", "tiny"]);

        var (exitCode, stdout, stderr) = await RunAsync(["stream", "pool_session_items", "--session", id, "--pool", "default"]);

        AssertTypedFailure(exitCode, stdout, stderr, $"error: InvalidArguments: session '{id}' runs in pool tiny; a stream in it cannot name pool default");
    }

    [Fact]
    public async Task Stats_has_a_row_per_pool_and_says_why_a_pool_failed_to_start()
    {
        var stats = await Succeeds(["stats"]);

        var lines = stats.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Matches(@"^silo\s+pool\s+size\s+workers\s+busy", lines[0]);
        var silo = Assert.Single(lines.Skip(1).Where(l => !l.StartsWith(' ')).Select(l => l.Split(' ')[0]).Distinct());
        Assert.Equal(["default", "broken", "tiny"], lines.Skip(1).Where(l => !l.StartsWith(' ')).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]));
        Assert.Matches($@"^{System.Text.RegularExpressions.Regex.Escape(silo)}\s+tiny\s+1\s+1\s", lines.Single(l => l.Contains(" tiny ", StringComparison.Ordinal)));
        var failure = Assert.Single(lines, l => l.StartsWith("    pool broken failed to start: ", StringComparison.Ordinal));
        Assert.Contains("/nonexistent/python3.99", failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Workers_names_each_workers_pool()
    {
        var workers = await Succeeds(["workers"]);

        var lines = workers.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Matches(@"^worker\s+pool\s+pid\s+state", lines[0]);
        var rows = lines.Skip(1).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();
        Assert.Equal(["broken", "default", "tiny"], rows.Select(r => r[1]).Order(StringComparer.Ordinal));
        // The broken pool's one slot has no process; the others' do.
        Assert.Equal(["0"], rows.Where(r => r[1] == "broken").Select(r => r[2]));
        Assert.All(rows.Where(r => r[1] != "broken"), r => Assert.NotEqual("0", r[2]));
    }

    [Fact]
    public async Task Doctor_against_the_silo_fails_naming_the_pool_that_did_not_start()
    {
        var (exitCode, stdout, stderr) = await RunAsync(["doctor", "--json", "--state-dir", silo.DoctorState,
            "--setting", $"DSPex:Silo:SiloPort={FreePorts.Next()}", "--setting", $"DSPex:Silo:GatewayPort={FreePorts.Next()}"]);

        Assert.True(exitCode == 1, $"exit {exitCode}\n{stdout}\n{stderr}");
        using var report = System.Text.Json.JsonDocument.Parse(stdout);
        var check = report.RootElement.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("check").GetString() == "silo");
        Assert.Equal("fail", check.GetProperty("status").GetString());
        Assert.StartsWith("pool(s) broken failed to start", check.GetProperty("summary").GetString(), StringComparison.Ordinal);
        Assert.Equal("DSPex:Pools:broken", check.GetProperty("setting").GetString());
        var details = check.GetProperty("details").EnumerateArray().Select(d => d.GetString()!).ToList();
        Assert.Contains(details, d => d.Contains("pool tiny: 1/1 workers", StringComparison.Ordinal) && !d.Contains("failed to start", StringComparison.Ordinal));
        Assert.Contains(details, d => d.Contains("pool broken: 0/1 workers", StringComparison.Ordinal) && d.Contains("failed to start: ", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("exec", "--pool has the character U+0020 at index 3")]
    [InlineData("stream", "--pool has the character U+0020 at index 3")]
    [InlineData("session", "--pool has the character U+0020 at index 3")]
    public async Task A_malformed_pool_name_is_refused_naming_the_option(string command, string message)
    {
        string[] arguments = command == "session" ? ["session", "exec", "cli-bad-pool", "ping", "--pool", "gpu pool"] : [command, "ping", "--pool", "gpu pool"];

        var (exitCode, stdout, stderr) = await RunAsync(arguments);

        AssertTypedFailure(exitCode, stdout, stderr, $"error: InvalidArguments: {message}");
    }

    [Fact]
    public async Task A_pool_no_silo_runs_is_refused_listing_the_clusters_pools()
    {
        var (exitCode, stdout, stderr) = await RunAsync(["exec", "ping", "--pool", "gpu"]);

        AssertTypedFailure(exitCode, stdout, stderr, "error: InvalidArguments: no silo runs a pool named 'gpu'; the cluster's pools: broken, default, tiny");
    }

    [Fact]
    public async Task A_command_two_pools_register_needs_the_pool_named()
    {
        var (exitCode, stdout, stderr) = await RunAsync(["exec", "async_sleep", "--args", """{"ms":1}"""]);

        AssertTypedFailure(exitCode, stdout, stderr, "error: InvalidArguments: command 'async_sleep' is registered by the pools default, tiny; name the pool");
    }

    private static void AssertTypedFailure(int exitCode, string stdout, string stderr, string expectedStart)
    {
        Assert.Equal(2, exitCode);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith(expectedStart, line, StringComparison.Ordinal);
        Assert.DoesNotMatch(Robustness.CliErrorTests.StackFrame, line);
        Assert.Equal("", stdout.Trim());
    }

    private async Task<string> Succeeds(string[] command)
    {
        var (exitCode, stdout, stderr) = await RunAsync(command);
        Assert.True(exitCode == 0, $"dspex {string.Join(' ', command)}: exit {exitCode}\n{stdout}\n{stderr}");
        return stdout;
    }

    private Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string[] command) =>
        CliProcess.RunAsync(["--gateway", $"127.0.0.1:{silo.Process.Settings.GatewayPort}", "--cluster-id", silo.Process.Settings.ClusterId, .. command]);

    /// <summary>One real silo for the class: the default pool, `tiny` and `broken`.</summary>
    [SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification =
        "Disposed in IAsyncLifetime.DisposeAsync, xunit's end of a test class or fixture, which the rule does not know.")]
    public sealed class PoolsSilo : IAsyncLifetime
    {
        private const string Adapter = """
            import os
            import dspex

            @dspex.command("pool_marker")
            def pool_marker(args):
                return os.environ.get("POOL_MARKER", "unset")

            @dspex.command("pool_session_items")
            def pool_session_items(args):
                for i in range(int((args or {}).get("count", 2))):
                    yield {"i": i, "greeting": dspex.get_var("greeting"), "marker": os.environ.get("POOL_MARKER", "unset")}

            @dspex.command("pool_count")
            async def pool_count(args):
                for i in range(int((args or {}).get("count", 2))):
                    yield {"i": i, "marker": os.environ.get("POOL_MARKER", "unset")}
            """;

        private readonly TemporaryDirectory _folder = new();

        public RealSiloProcess Process { get; private set; } = null!;

        /// <summary>A registry folder for `dspex doctor`'s state directory check, apart from the silo's.</summary>
        public string DoctorState => Path.Combine(_folder.Path, "doctor");

        public async Task InitializeAsync()
        {
            var adapters = Directory.CreateDirectory(Path.Combine(_folder.Path, "adapters")).FullName;
            File.WriteAllText(Path.Combine(adapters, "cli_pool_adapter.py"), Adapter);
            Process = RealSiloProcess.Start(RealSiloSettings.Fresh(_folder.Path) with
            {
                PoolSize = 1,
                Extra = new Dictionary<string, string>
                {
                    ["DSPex:Pools:tiny:Size"] = "1",
                    ["DSPex:Pools:tiny:AdapterModules:0"] = "cli_pool_adapter",
                    ["DSPex:Pools:tiny:AdapterModules:1"] = "dspex.examples",
                    ["DSPex:Pools:tiny:AdapterPaths:0"] = adapters,
                    ["DSPex:Pools:tiny:Environment:POOL_MARKER"] = "tiny",
                    ["DSPex:Pools:tiny:StopGracePeriod"] = "00:00:02",
                    ["DSPex:Pools:broken:Size"] = "1",
                    ["DSPex:Pools:broken:PythonExecutable"] = "/nonexistent/python3.99",
                },
            });
            await Process.Warm;
        }

        public async Task DisposeAsync()
        {
            await Process.DisposeAsync();
            _folder.Dispose();
        }
    }
}

using System.Net;
using DSPex.Orleans.Client;
using DSPex.Orleans.Client.Errors;
using DSPex.Orleans.Tests.Infrastructure;

namespace DSPex.Orleans.Tests.NamedPools;

/// <summary>
/// The real silo executable with a named pool whose PythonExecutable is a script that is no Python at all: it hangs,
/// prints garbage and hangs, or exits at once. Each script starts a child of its own, as a wrapper would, and writes
/// both pids to a file. The silo starts within the pool's start timeout, its other pools serve, the named pool
/// fails alone and names why, and nothing the script started is left running.
/// </summary>
[Trait("Category", "Process")]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class HungInterpreterTests
{
    public static TheoryData<string, string> Scripts => new()
    {
        { "sleeps", "sleep 100000 &\necho $! >> \"$PIDS\"\nwait\n" },
        { "garbage", "printf 'this is not a path\\n\\x01\\x02\\xff garbage'\nprintf '\\0\\0\\0\\x10{not json' >&1\nsleep 100000 &\necho $! >> \"$PIDS\"\nwait\n" },
        { "exits", "sleep 100000 &\necho $! >> \"$PIDS\"\nexit 3\n" },
    };

    [Theory]
    [MemberData(nameof(Scripts))]
    public async Task A_named_pool_whose_interpreter_misbehaves_fails_alone_within_its_start_timeout_and_leaves_no_process(string name, string body)
    {
        using var state = new TemporaryDirectory();
        var pids = Path.Combine(state.Path, $"{name}.pids");
        var script = WriteScript(state.Path, name, pids, body);
        var httpPort = FreePorts.Next();
        var settings = new Dictionary<string, string>
        {
            ["DSPex:Silo:HttpPort"] = httpPort.ToString(),
            ["DSPex:Pools:stuck:Size"] = "2",
            ["DSPex:Pools:stuck:PythonExecutable"] = script,
            ["DSPex:Pools:stuck:StartTimeout"] = "00:00:05",
            ["DSPex:Pools:tools:Size"] = "1",
            ["DSPex:Pools:tools:AdapterModules:0"] = "dspex_test_adapter",
            ["DSPex:Pools:tools:AdapterPaths:0"] = TestClusters.TestAdapterPath,
        };
        await using var silo = RealSiloProcess.Start(RealSiloSettings.Fresh(state.Path) with { Extra = settings });
        var started = new List<int>();
        try
        {
            await silo.Warm;
            started.AddRange(ReadPids(pids));
            Assert.NotEmpty(started);

            var (host, client) = await silo.ConnectAsync();
            using var _ = host;
            Assert.Equal("\"pong\"", await client.ExecuteRawAsync("ping"));
            Assert.Equal("\"pong\"", await client.ExecuteRawAsync("ping", options: new ExecuteOptions { Pool = "tools" }));
            var failed = await Assert.ThrowsAsync<WorkerStartFailedException>(() => client.ExecuteRawAsync("ping", options: new ExecuteOptions { Pool = "stuck" }));
            Assert.Contains("pool stuck", failed.Message);

            using var http = new HttpClient();
            var (status, ready) = await Eventually.HoldsAsync(() => ReadyAsync(http, httpPort), answer => answer.Body is not null, "the silo's /readyz answering");
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Contains("pool stuck failed to start", ready);

            await Eventually.HoldsAsync(() => ReadPids(pids).All(pid => !OsProcesses.IsAlive(pid)), $"every process the '{name}' script started gone");
        }
        finally
        {
            foreach (var pid in ReadPids(pids).Where(OsProcesses.IsAlive))
            {
                OsProcesses.Kill(pid);
            }
        }
    }

    [Fact]
    public async Task SIGTERM_while_a_named_pool_waits_for_an_interpreter_that_hangs_stops_the_silo_and_ends_the_interpreter()
    {
        using var state = new TemporaryDirectory();
        var pids = Path.Combine(state.Path, "hang.pids");
        var script = WriteScript(state.Path, "hang", pids, "sleep 100000 &\necho $! >> \"$PIDS\"\nwait\n");
        var settings = new Dictionary<string, string>
        {
            ["DSPex:Pools:stuck:Size"] = "1",
            ["DSPex:Pools:stuck:PythonExecutable"] = script,
            // Longer than any test bound: only the stop can end this wait.
            ["DSPex:Pools:stuck:StartTimeout"] = "01:00:00",
        };
        await using var silo = RealSiloProcess.Start(RealSiloSettings.Fresh(state.Path) with { Extra = settings });
        try
        {
            await Eventually.HoldsAsync(() => ReadPids(pids).Count >= 2, "the interpreter script and its child running", TestBounds.Start);
            await silo.StopAsync();
            await Eventually.HoldsAsync(() => ReadPids(pids).All(pid => !OsProcesses.IsAlive(pid)), "every process the script started gone");
        }
        finally
        {
            foreach (var pid in ReadPids(pids).Where(OsProcesses.IsAlive))
            {
                OsProcesses.Kill(pid);
            }
        }
    }

    /// <summary>A shell script that records its own pid and its child's in <paramref name="pids"/>, then runs <paramref name="body"/>.</summary>
    private static string WriteScript(string directory, string name, string pids, string body)
    {
        var script = Path.Combine(directory, $"{name}-python");
        File.WriteAllText(script, $"#!/bin/sh\nPIDS='{pids}'\necho $$ >> \"$PIDS\"\n{body}");
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return script;
    }

    private static List<int> ReadPids(string file) =>
        File.Exists(file) ? [.. File.ReadAllLines(file).Where(l => int.TryParse(l, out _)).Select(int.Parse)] : [];

    private static async Task<(HttpStatusCode Status, string? Body)> ReadyAsync(HttpClient http, int port)
    {
        try
        {
            using var ready = await http.GetAsync($"http://127.0.0.1:{port}/readyz");
            return (ready.StatusCode, await ready.Content.ReadAsStringAsync());
        }
        catch (HttpRequestException)
        {
            return (default, null);
        }
    }
}

using System.Diagnostics;
using System.Net;
using DSPex.Orleans.Hosting;
using DSPex.Orleans.Tests.Infrastructure;
using Xunit.Abstractions;

namespace DSPex.Orleans.Tests.HostHealth;

/// <summary>
/// A real silo process whose start cannot finish (a named pool's interpreter hangs): its HTTP endpoint answers while
/// the pools warm (/readyz 503 "starting", /healthz 200), and SIGTERM stops it within the drain time instead of being
/// ignored until SIGKILL; the workers it did start are gone.
/// </summary>
[Trait("Category", "Process")]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class StartupHealthTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_silo_whose_start_hangs_answers_starting_and_stops_on_SIGTERM_within_the_drain_time()
    {
        using var state = new TemporaryDirectory();
        var httpPort = FreePorts.Next();
        var pidFile = Path.Combine(state.Path, "stuck-interpreter.pid");
        var stuck = Path.Combine(state.Path, "stuck-python");
        File.WriteAllText(stuck, $"#!/bin/sh\necho $$ > '{pidFile}'\nexec sleep 600\n");
        File.SetUnixFileMode(stuck, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var settings = RealSiloSettings.Fresh(state.Path) with
        {
            PoolSize = 1,
            Extra = new Dictionary<string, string>
            {
                ["DSPex:Silo:HttpPort"] = httpPort.ToString(),
                ["DSPex:Silo:DrainTimeout"] = "00:00:05",
                ["DSPex:Pools:stuck:Size"] = "1",
                ["DSPex:Pools:stuck:PythonExecutable"] = stuck,
                // Far beyond the test: the start hangs for as long as the test looks at it.
                ["DSPex:Pools:stuck:StartTimeout"] = "00:30:00",
            },
        };
        await using var silo = RealSiloProcess.Start(settings);
        using var http = new SiloHttp(httpPort);
        try
        {
            await Eventually.HoldsAsync(() => File.Exists(pidFile) && File.ReadAllText(pidFile).Trim().Length > 0, "the stuck interpreter started", TestBounds.Start);
            var ready = await Eventually.HoldsAsync(() => http.GetAsync("/readyz"), r => r is not null, "/readyz answering while the pools warm", TestBounds.Start);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready!.Value.Status);
            Assert.Contains("starting", ready.Value.Body);
            var live = await http.GetAsync("/healthz");
            Assert.Equal(HttpStatusCode.OK, live?.Status);
            Assert.DoesNotContain(SiloReadyLine.Prefix, silo.Output);

            var stop = Stopwatch.StartNew();
            var code = await silo.StopAsync();
            output.WriteLine($"measured: SIGTERM during start-up -> exit {code} in {stop.ElapsedMilliseconds} ms (DrainTimeout 5 s)");
            // 4: the start was given up on after the drain time; 0 if the start could be cancelled at once.
            Assert.Contains(code, new[] { 0, 4 });
            if (code == 4)
            {
                Assert.Contains("dspex-silo: exit code 4: stopped while starting", silo.Output);
            }

            await Eventually.HoldsAsync(() => ProcessesWithMarker.Find(settings.ClusterId).Count == 0, "the silo's Python workers gone", TestBounds.Exit);
        }
        finally
        {
            // The hanging interpreter is the test's own stand-in, ended by its pid (its silo cannot end what never answered).
            if (File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile).Trim(), out var pid) && OsProcesses.IsAlive(pid))
            {
                OsProcesses.Kill(pid);
            }
        }
    }
}

using System.Text.RegularExpressions;
using DSPex.Orleans.Processes;
using DSPex.Orleans.Workers.Python;
using DSPex.Orleans.Tests.Infrastructure;
using DSPex.Orleans.Workers.Bridge;
using DSPex.Orleans.Workers.Native;
using DSPex.Orleans.Workers.Processes;
using Microsoft.Extensions.Logging.Abstractions;

namespace DSPex.Orleans.Tests.ProcessSafety;

/// <summary>
/// The process group a worker reports in its ready frame is checked against /proc before anything signals it. A
/// bridge whose setsid() failed (it stays in the silo's own group) or that reports a group it does not lead fails at
/// start and is stopped by its pid alone: the silo's group, the silo included, is never signalled.
/// </summary>
[Trait("Category", "Process")]
public sealed partial class ProcessGroupCheckTests
{
    [Theory]
    [InlineData("setsid fails", "def _no_setsid():\n    raise OSError('refused')\nos.setsid = _no_setsid\n")]
    [InlineData("reports its pid as its group", "os.setsid = lambda: None\nos.getpgid = lambda pid: os.getpid()\n")]
    [InlineData("reports the silo's group", "os.setsid = lambda: None\n")]
    public async Task A_worker_that_does_not_lead_its_own_group_fails_at_start_and_is_stopped_by_pid_alone(string case_, string patch)
    {
        using var folder = new TemporaryDirectory();
        // Loaded by Python at start (site): it changes what the bridge does before its main runs.
        await File.WriteAllTextAsync(Path.Combine(folder.Path, "sitecustomize.py"), "import os\n" + patch);
        await using var decoys = new DecoyProcesses();
        // A process in the test's (the silo's) own group: a kill of that group would end it.
        var bystander = decoys.StartPlainPython();
        Assert.Equal(NativeSignals.ProcessGroupOf(Environment.ProcessId), NativeSignals.ProcessGroupOf(bystander));

        var marker = new ProcessMarker("pgid-check", "S", "S|0", Guid.NewGuid().ToString("N"));
        var info = new PythonProcessStartInfo(
            marker.WorkerId, PythonInterpreter.Resolve("python3"), Path.Combine(AppContext.BaseDirectory, "Python"), marker,
            ["dspex_test_adapter"], [TestClusters.TestAdapterPath], new Dictionary<string, string> { ["PYTHONPATH"] = folder.Path }, [],
            1024 * 1024, 1, TimeSpan.FromSeconds(30));

        var failed = await Assert.ThrowsAsync<BridgeStartException>(() => PythonProcess.StartAsync(info, NullLogger.Instance));

        Assert.Contains("does not lead its own process group", failed.Message);
        var pid = int.Parse(PidInMessage().Match(failed.Message).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        decoys.Track(pid);
        await Eventually.HoldsAsync(() => !OsProcesses.IsAlive(pid), $"{case_}: the refused worker {pid} stopped");
        Assert.True(OsProcesses.IsAlive(bystander), $"{case_}: a process in the silo's group was signalled");
    }

    [GeneratedRegex(@"\(pid (\d+)\)")]
    private static partial Regex PidInMessage();
}

using System.Diagnostics;
using DSPex.Orleans.Processes;
using DSPex.Orleans.Workers.Python;
using DSPex.Orleans.Tests.Infrastructure;
using DSPex.Orleans.Workers.Processes;
using Microsoft.Extensions.Logging.Abstractions;

namespace DSPex.Orleans.Tests.ProcessSafety;

/// <summary>
/// Processes a test starts to tempt the reaper: real bridges (started by the product's own <see cref="PythonProcess"/>)
/// carrying a marker the test chooses, and plain python3 processes. Every one is ended by its pid on dispose.
/// </summary>
public sealed class DecoyProcesses : IAsyncDisposable
{
    private readonly List<int> _pids = [];
    private readonly List<PythonProcess> _bridges = [];
    private readonly List<Process> _plain = [];

    internal async Task<PythonProcess> StartBridgeAsync(ProcessMarker marker)
    {
        var python = PythonInterpreter.Resolve("python3");
        var info = new PythonProcessStartInfo(
            marker.WorkerId, python, Path.Combine(AppContext.BaseDirectory, "Python"), marker,
            ["dspex_test_adapter"], [TestClusters.TestAdapterPath], new Dictionary<string, string>(), [],
            1024 * 1024, 1, TimeSpan.FromSeconds(30));
        var bridge = await PythonProcess.StartAsync(info, NullLogger.Instance);
        _bridges.Add(bridge);
        _pids.Add(bridge.Pid);
        return bridge;
    }

    /// <summary>A python3 process with no marker, sleeping; extra arguments make it look like a bridge by name.</summary>
    public int StartPlainPython(params string[] extraArguments)
    {
        var start = new ProcessStartInfo(PythonInterpreter.Resolve("python3")) { UseShellExecute = false, RedirectStandardInput = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("import time; time.sleep(600)");
        foreach (var argument in extraArguments)
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start)!;
        _plain.Add(process);
        _pids.Add(process.Id);
        return process.Id;
    }

    /// <summary>Also ends by pid what a decoy spawned (a grandchild), should the test fail before the reaper did.</summary>
    public void Track(int pid) => _pids.Add(pid);

    public async ValueTask DisposeAsync()
    {
        foreach (var pid in _pids.Where(OsProcesses.IsAlive))
        {
            OsProcesses.Kill(pid);
        }

        foreach (var bridge in _bridges)
        {
            await bridge.DisposeAsync();
        }

        foreach (var process in _plain)
        {
            await process.WaitForExitAsync().WaitAsync(TestBounds.Exit);
            process.Dispose();
        }
    }
}

using System.Collections.Concurrent;
using System.Diagnostics;
using DSPex.Orleans.Client;
using DSPex.Orleans.Client.Hosting;
using DSPex.Orleans.Hosting;
using DSPex.Orleans.Processes;
using DSPex.Orleans.Workers.Native;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DSPex.Orleans.Tests.Infrastructure;

/// <summary>
/// The real silo executable (dspex-silo.dll) as a child process of the test, for crashes that must be real:
/// in-process test silos share the test's OS process, so a SIGKILL could not single one out.
/// </summary>
public sealed class RealSiloProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly TaskCompletionSource _warm = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private readonly bool _otherBuild;

    private RealSiloProcess(Process process, RealSiloSettings settings, bool otherBuild)
    {
        _process = process;
        Settings = settings;
        _otherBuild = otherBuild;
    }

    public RealSiloSettings Settings { get; }

    public int Pid => _process.Id;

    public string Output => string.Join('\n', _output);

    /// <summary>
    /// The first output line that matches, waiting until the silo has written one. Log lines go through the console
    /// logger's background queue while the ready line is written directly, so a line logged before the ready line can
    /// still reach the pipe after it: read a log line with this, never from <see cref="Output"/> at one instant.
    /// </summary>
    public async Task<string> LoggedLineAsync(Func<string, bool> match, string what) =>
        (await Eventually.HoldsAsync(() => Task.FromResult(_output.FirstOrDefault(match)), line => line is not null, what, TestBounds.Start))!;

    /// <summary>What the silo's ready line said (null until it is ready, and for a build from before the line).</summary>
    internal SiloReady? Ready { get; private set; }

    /// <summary>
    /// Completes when the silo writes its ready line (<see cref="SiloReadyLine"/>: serving, every pool warm, after its
    /// start sweep); fails if it exits first or is not ready within <see cref="TestBounds.Start"/>.
    /// </summary>
    public Task Warm => _warm.Task.WaitAsync(TestBounds.Start);

    public static string SiloAssembly
    {
        get
        {
            // tests/DSPex.Orleans.Tests/bin/<configuration>/<tfm>/ -> silo/bin/<configuration>/<tfm>/dspex-silo.dll
            var tfm = new DirectoryInfo(AppContext.BaseDirectory);
            var configuration = tfm.Parent!;
            var repository = configuration.Parent!.Parent!.Parent!.Parent!;
            return Path.Combine(repository.FullName, "silo", "bin", configuration.Name, tfm.Name, "dspex-silo.dll");
        }
    }

    /// <summary>Starts a silo of this build, or of another build's dspex-silo.dll (the previous release in the upgrade test).</summary>
    public static RealSiloProcess Start(RealSiloSettings settings, string? siloAssembly = null)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        start.ArgumentList.Add(siloAssembly ?? SiloAssembly);
        foreach (var (key, value) in settings.CommandLine())
        {
            start.ArgumentList.Add($"--{key}={value}");
        }

        foreach (var (name, value) in settings.Environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        start.Environment["Logging__Console__FormatterName"] = "simple";
        start.Environment["Logging__Console__FormatterOptions__SingleLine"] = "true";
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var silo = new RealSiloProcess(process, settings, otherBuild: siloAssembly is not null);
        process.OutputDataReceived += (_, e) => silo.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => silo.OnLine(e.Data);
        process.Exited += (_, _) =>
        {
            // Exited can be raised before the last lines are read: WaitForExit() also waits for both streams' end.
            process.WaitForExit();
            silo._warm.TrySetException(new InvalidOperationException($"silo exited before it was warm:\n{silo.Output}"));
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return silo;
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        _output.Enqueue(line);
        if (SiloReadyLine.Parse(line) is { } ready)
        {
            Ready = ready;
            _warm.TrySetResult();
        }
        else if (_otherBuild && LegacyWarmLine.Parse(line) is not null)
        {
            // A build from before the ready line (the previous release): its log line is all it says.
            _warm.TrySetResult();
        }
    }

    /// <summary>A client connected to this silo's gateway, for the length of a using block.</summary>
    public async Task<(IHost Host, DSPexClient Client)> ConnectAsync(Action<DSPexClientOptions>? configure = null)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.AddDSPexClient(o =>
        {
            o.GatewayPort = Settings.GatewayPort;
            o.ClusterId = Settings.ClusterId;
            configure?.Invoke(o);
        });
        var host = builder.Build();
        await host.StartAsync().WaitAsync(TestBounds.Start);
        return (host, host.Services.GetRequiredService<DSPexClient>());
    }

    /// <summary>
    /// What a failed wait on this silo should show: its state as /proc gives it (R, S, T for stopped, Z), or its exit
    /// code, and its last output lines.
    /// </summary>
    public string Describe(int lastLines = 80)
    {
        var state = _process.HasExited
            ? $"exited with code {_process.ExitCode}"
            : LinuxProcess.Read(Pid) is { } process ? $"state {process.State}" : "gone from /proc";
        var lines = _output.ToArray();
        return $"silo pid {Pid}: {state}; its last {Math.Min(lastLines, lines.Length)} of {lines.Length} output lines:\n"
            + string.Join('\n', lines.TakeLast(lastLines));
    }

    /// <summary>Completes with the exit code when the process ends by itself (or is ended).</summary>
    public async Task<int> ExitAsync()
    {
        await _process.WaitForExitAsync().WaitAsync(TestBounds.Exit);
        return _process.ExitCode;
    }

    public void Kill() => NativeSignals.SendToProcess(Pid, NativeSignals.SIGKILL);

    /// <summary>SIGTERM (a clean stop, as from a process manager) and the exit it leads to.</summary>
    public async Task<int> StopAsync()
    {
        NativeSignals.SendToProcess(Pid, NativeSignals.SIGTERM);
        await _process.WaitForExitAsync().WaitAsync(TestBounds.Exit);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (OsProcesses.IsAlive(Pid))
        {
            Kill();
        }

        await _process.WaitForExitAsync().WaitAsync(TestBounds.Exit);
        _process.Dispose();
    }
}

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using DSPex.Orleans.Client;
using DSPex.Orleans.Client.Hosting;
using DSPex.Orleans.Native;
using DSPex.Orleans.Processes;
using DSPex.Orleans.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DSPex.Orleans.Tests.ProcessSafety;

/// <summary>
/// The real silo executable (dspex-silo.dll) as a child process of the test, for crashes that must be real:
/// in-process test silos share the test's OS process, so a SIGKILL could not single one out.
/// </summary>
public sealed class RealSiloProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly TaskCompletionSource _warm = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private RealSiloProcess(Process process, RealSiloSettings settings)
    {
        _process = process;
        Settings = settings;
    }

    public RealSiloSettings Settings { get; }

    public int Pid => _process.Id;

    public string Output => string.Join('\n', _output);

    /// <summary>Completes when the silo logs that its pool is warm (after its start sweep).</summary>
    public Task Warm => _warm.Task;

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

    public static RealSiloProcess Start(RealSiloSettings settings)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        start.ArgumentList.Add(SiloAssembly);
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
        var silo = new RealSiloProcess(process, settings);
        process.OutputDataReceived += (_, e) => silo.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => silo.OnLine(e.Data);
        process.Exited += (_, _) => silo._warm.TrySetException(new InvalidOperationException($"silo exited before it was warm:\n{silo.Output}"));
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
        if (line.Contains(" warm: ", StringComparison.Ordinal))
        {
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
        await host.StartAsync();
        return (host, host.Services.GetRequiredService<DSPexClient>());
    }

    /// <summary>Completes with the exit code when the process ends by itself (or is ended).</summary>
    public async Task<int> ExitAsync()
    {
        await _process.WaitForExitAsync();
        return _process.ExitCode;
    }

    public void Kill() => NativeSignals.SendToProcess(Pid, NativeSignals.SIGKILL);

    /// <summary>SIGTERM (a clean stop, as from a process manager) and the exit it leads to.</summary>
    public async Task<int> StopAsync()
    {
        NativeSignals.SendToProcess(Pid, NativeSignals.SIGTERM);
        await _process.WaitForExitAsync();
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (OsProcesses.IsAlive(Pid))
        {
            Kill();
        }

        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}

/// <summary>How a real silo is started: its own cluster id, ports and registry folder.</summary>
public sealed record RealSiloSettings(string ClusterId, int SiloPort, int GatewayPort, string StateDirectory, int? PrimarySiloPort = null, string? Redis = null, int PoolSize = 2,
    IReadOnlyDictionary<string, string>? Extra = null, IReadOnlyDictionary<string, string>? Environment = null)
{
    /// <summary>A silo of a cluster whose membership, reminders and sessions live in Redis.</summary>
    public static RealSiloSettings WithRedis(string stateDirectory, string clusterId, string redis) =>
        new(clusterId, FreePort(), FreePort(), stateDirectory, Redis: redis);

    public static RealSiloSettings Fresh(string stateDirectory) =>
        new($"reaper-real-{Guid.NewGuid():N}", FreePort(), FreePort(), stateDirectory);

    /// <summary>A second silo of the same cluster on this host, joining this one.</summary>
    public RealSiloSettings SecondSilo() => this with { SiloPort = FreePort(), GatewayPort = FreePort(), PrimarySiloPort = SiloPort };

    public IEnumerable<(string Key, string Value)> CommandLine() =>
    [
        .. PrimarySiloPort is { } primary ? [("DSPex:Silo:PrimarySiloEndpoint", $"127.0.0.1:{primary}")] : Array.Empty<(string, string)>(),
        .. Redis is { } redis ? [("DSPex:Silo:RedisConnectionString", redis)] : Array.Empty<(string, string)>(),
        ("DSPex:Silo:ClusterId", ClusterId),
        ("DSPex:Silo:SiloPort", SiloPort.ToString()),
        ("DSPex:Silo:GatewayPort", GatewayPort.ToString()),
        ("DSPex:Pool:Size", PoolSize.ToString()),
        ("DSPex:Pool:AdapterModules:0", "dspex_test_adapter"),
        ("DSPex:Pool:AdapterPaths:0", TestClusters.TestAdapterPath),
        ("DSPex:Pool:StopGracePeriod", "00:00:02"),
        ("DSPex:ProcessSafety:StateDirectory", StateDirectory),
        ("DSPex:ProcessSafety:KillGracePeriod", "00:00:02"),
        .. (Extra ?? new Dictionary<string, string>()).Select(setting => (setting.Key, setting.Value)),
    ];

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

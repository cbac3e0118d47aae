using System.Diagnostics;
using DSPex.Orleans.Benchmarks.Scenarios;
using DSPex.Orleans.Hosting;
using DSPex.Orleans.Tests.Infrastructure;

namespace DSPex.Orleans.Benchmarks.Infrastructure;

/// <summary>
/// The real silo executable (silo/bin/.../dspex-silo.dll) run as a child process, configured by its command line.
/// It is stopped by its pid (SIGTERM, so it ends its own workers; SIGKILL after a grace), and any worker of its
/// cluster still alive afterwards is killed by pid and reported.
/// </summary>
public sealed class SiloChildProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ClusterSettings _cluster;
    private readonly TaskCompletionSource<TimeSpan> _warm = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Stopwatch _sinceSpawn = Stopwatch.StartNew();
    private readonly List<string> _output = [];

    private readonly bool _otherBuild;

    private SiloChildProcess(Process process, ClusterSettings cluster, bool otherBuild)
    {
        _process = process;
        _cluster = cluster;
        _otherBuild = otherBuild;
    }

    public int Pid => _process.Id;

    /// <summary>The pools' own warm-up time, as the silo reported it (all workers started concurrently).</summary>
    public TimeSpan? PoolWarmUp { get; private set; }

    /// <summary>From spawning the silo process until its pool reported warm.</summary>
    public TimeSpan? SpawnToWarm { get; private set; }

    /// <summary>Starts the silo; <paramref name="variant"/> may name another build of it and extra environment (A/B in one run).</summary>
    public static SiloChildProcess Start(ClusterSettings cluster, SiloVariant? variant = null)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (name, value) in variant?.Environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        string[] args =
        [
            variant?.SiloAssembly ?? BenchmarkPaths.SiloAssembly,
            $"--DSPex:Silo:SiloPort={cluster.SiloPort}",
            $"--DSPex:Silo:GatewayPort={cluster.GatewayPort}",
            $"--DSPex:Silo:ClusterId={cluster.ClusterId}",
            $"--DSPex:Silo:ServiceId={ClusterSettings.ServiceId}",
            $"--DSPex:Pool:Size={cluster.PoolSize}",
            $"--DSPex:Pool:PythonExecutable={cluster.PythonExecutable}",
            $"--DSPex:Pool:AdapterModules:0={BenchmarkPaths.AdapterModule}",
            $"--DSPex:Pool:AdapterPaths:0={BenchmarkPaths.AdapterDirectory}",
            // The orleans-floor scenario's grain (off by default in any other silo; older builds ignore it).
            "--DSPex:Silo:BenchmarkFloor=true",
            // Keep the pool's warm-up line, drop per-line Python stderr echo.
            "--Logging:LogLevel:DSPex.Orleans.PythonWorker=Warning",
        ];
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the silo process");
        var silo = new SiloChildProcess(process, cluster, otherBuild: variant?.SiloAssembly is not null);
        process.OutputDataReceived += (_, e) => silo.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => silo.OnLine(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => silo._warm.TrySetException(
            new InvalidOperationException($"the silo process exited early. Output:\n{silo.OutputTail()}"));
        return silo;
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.Add(line);
            if (_output.Count > 200)
            {
                _output.RemoveAt(0);
            }
        }

        // The silo's ready line (SiloReadyLine); a build from before it (the B side of an A/B) only logged its warm-up.
        var warmUp = SiloReadyLine.Parse(line) is { } ready ? TimeSpan.FromMilliseconds(ready.WarmUpMs)
            : _otherBuild ? LegacyWarmLine.Parse(line)
            : null;
        if (warmUp is not null)
        {
            PoolWarmUp = warmUp;
            SpawnToWarm = _sinceSpawn.Elapsed;
            _warm.TrySetResult(SpawnToWarm.Value);
        }
    }

    public Task WaitUntilWarmAsync(TimeSpan timeout) => _warm.Task.WaitAsync(timeout);

    public long ResidentBytes() => OsProcess.ResidentBytes(Pid);

    public string OutputTail()
    {
        lock (_output)
        {
            return string.Join('\n', _output.TakeLast(40));
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            OsProcess.Signal(Pid, OsProcess.SIGTERM);
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await _process.WaitForExitAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
                Console.Error.WriteLine($"silo pid {Pid} did not stop within 30 s of SIGTERM; killing it");
                OsProcess.Signal(Pid, OsProcess.SIGKILL);
                await _process.WaitForExitAsync();
            }
        }

        // Its own workers only: the fail-over benchmark's other silos share the cluster id and are still serving.
        foreach (var pid in _cluster.WorkerPidsOfThisSilo())
        {
            Console.Error.WriteLine($"worker pid {pid} of {_cluster.ClusterId} outlived its silo; killing it");
            OsProcess.Signal(pid, OsProcess.SIGKILL);
        }

        _process.Dispose();
    }
}

using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using DSPex.Orleans.Workers.Processes;

namespace DSPex.Orleans.Workers.Python;

/// <summary>Everything needed to start one bridge process.</summary>
internal sealed record PythonProcessStartInfo(
    string WorkerId,
    string PythonExecutable,
    string BridgeDirectory,
    ProcessMarker Marker,
    IReadOnlyList<string> AdapterModules,
    IReadOnlyList<string> AdapterPaths,
    IReadOnlyDictionary<string, string> Environment,
    IReadOnlyList<string> InheritedVariables,
    int MaxFrameBytes,
    int Concurrency,
    TimeSpan StartTimeout)
{
    /// <summary>The bridge script a worker runs, in the bridge folder (grains/Python/dspex_bridge.py; the grains find the folder).</summary>
    public const string BridgeScriptName = "dspex_bridge.py";

    /// <summary>
    /// The silo's variables every worker gets: what Python and the C libraries under it need to run (search path, home,
    /// locale, temp directory, time zone, certificate bundles). Anything else reaches a worker only when configured.
    /// </summary>
    public static readonly IReadOnlyList<string> InheritedByDefault =
        ["PATH", "HOME", "USER", "LANG", "LC_ALL", "LC_CTYPE", "TMPDIR", "TZ", "SSL_CERT_FILE", "SSL_CERT_DIR"];

    /// <summary>Native math libraries start a thread per core in every worker unless told otherwise.</summary>
    public static readonly IReadOnlyDictionary<string, string> SingleThreadedNativeLibraries = new Dictionary<string, string>
    {
        ["OMP_NUM_THREADS"] = "1",
        ["OPENBLAS_NUM_THREADS"] = "1",
        ["MKL_NUM_THREADS"] = "1",
        ["NUMEXPR_NUM_THREADS"] = "1",
        ["VECLIB_MAXIMUM_THREADS"] = "1",
        ["PYTHONUNBUFFERED"] = "1",
    };

    /// <summary>Told of the process the moment it is spawned, before its handshake (the silo's death watch registers it).</summary>
    public Action<PythonProcess>? Spawned { get; init; }

    /// <summary>The level each line the worker writes to stderr is logged at.</summary>
    public LogLevel StderrLogLevel { get; init; } = LogLevel.Information;

    /// <summary>The command line and environment of the bridge process.</summary>
    internal ProcessStartInfo ToProcessStartInfo()
    {
        var start = new ProcessStartInfo(PythonExecutable)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = BridgeDirectory,
        };
        start.ArgumentList.Add(Path.Combine(BridgeDirectory, BridgeScriptName));
        start.ArgumentList.Add(ProcessMarker.Argument);
        start.ArgumentList.Add(Marker.ToString());
        start.ArgumentList.Add("--parent-pid");
        start.ArgumentList.Add(System.Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        start.ArgumentList.Add("--max-frame");
        start.ArgumentList.Add(MaxFrameBytes.ToString(CultureInfo.InvariantCulture));
        start.ArgumentList.Add("--concurrency");
        start.ArgumentList.Add(Concurrency.ToString(CultureInfo.InvariantCulture));
        foreach (var adapter in AdapterModules)
        {
            start.ArgumentList.Add("--adapter");
            start.ArgumentList.Add(adapter);
        }

        SetWorkerEnvironment(start.Environment, BridgeDirectory, AdapterPaths, Environment, InheritedVariables);
        start.Environment[ProcessMarker.EnvironmentVariable] = Marker.ToString();
        return start;
    }

    /// <summary>
    /// The environment a worker runs with (also what `dspex doctor` lists adapters in, so it sees what a worker sees):
    /// the variables Python needs, single-threaded native libraries, the configured ones, PYTHONPATH.
    /// </summary>
    internal static void SetWorkerEnvironment(IDictionary<string, string?> environment, string bridgeDirectory, IEnumerable<string> adapterPaths,
        IReadOnlyDictionary<string, string> configured, IEnumerable<string> inheritedVariables)
    {
        // An explicit environment, not the silo's: the silo's may hold its own secrets (a Redis password, API key
        // hashes), and a worker runs adapter code on callers' input.
        environment.Clear();
        foreach (var name in InheritedByDefault.Concat(inheritedVariables))
        {
            if (System.Environment.GetEnvironmentVariable(name) is { } inherited)
            {
                environment[name] = inherited;
            }
        }

        foreach (var (name, value) in SingleThreadedNativeLibraries)
        {
            environment[name] = value;
        }

        foreach (var (name, value) in configured)
        {
            environment[name] = value;
        }

        var pythonPath = new List<string>(adapterPaths) { bridgeDirectory };
        if (configured.TryGetValue("PYTHONPATH", out var configuredPath) && !string.IsNullOrEmpty(configuredPath))
        {
            pythonPath.Add(configuredPath);
        }

        environment["PYTHONPATH"] = string.Join(Path.PathSeparator, pythonPath);
    }
}

namespace DSPex.Orleans.Processes;

/// <summary>Everything needed to start one bridge process.</summary>
public sealed record PythonProcessStartInfo(
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
}

namespace DSPex.Orleans.Processes;

/// <summary>
/// Where dspex_bridge.py and the dspex package are when DSPex:Pool:BridgeDirectory is not set. The build (this
/// repository, or the DSPex.Orleans.Hosting package's build file) copies them to Python/ beside the application;
/// an application that loads the grains assembly straight from the NuGet package folder finds them in the
/// package's own python/ folder instead.
/// </summary>
internal static class BridgeLocation
{
    /// <summary>The folder the build copies the bridge to, under the application's base directory.</summary>
    public const string OutputFolder = "Python";

    /// <summary>The bridge's folder in the DSPex.Orleans.Hosting package (beside lib/).</summary>
    public const string PackageFolder = "python";

    /// <summary>The configured directory if there is one; else the first default that holds the bridge.</summary>
    public static string Resolve(string? configured) =>
        configured ?? Candidates().FirstOrDefault(HasBridge) ?? Candidates().First();

    /// <summary>Application output first; then beside the grains assembly; then the package layout (lib/tfm/ → python/).</summary>
    internal static IEnumerable<string> Candidates()
    {
        yield return Path.Combine(AppContext.BaseDirectory, OutputFolder);
        var assemblyDirectory = Path.GetDirectoryName(typeof(BridgeLocation).Assembly.Location);
        if (!string.IsNullOrEmpty(assemblyDirectory))
        {
            yield return Path.Combine(assemblyDirectory, OutputFolder);
            yield return Path.GetFullPath(Path.Combine(assemblyDirectory, "..", "..", PackageFolder));
        }
    }

    internal static bool HasBridge(string directory) => File.Exists(Path.Combine(directory, PythonProcessStartInfo.BridgeScriptName));
}

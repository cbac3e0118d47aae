using DSPex.Orleans.Workers.Python;

namespace DSPex.Orleans.Configuration;

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

    /// <summary>The configured directory if there is one; else the first default that holds the bridge (else the first default).</summary>
    public static string Resolve(string? configured) =>
        Resolve(configured, AppContext.BaseDirectory, Path.GetDirectoryName(typeof(BridgeLocation).Assembly.Location));

    internal static string Resolve(string? configured, string baseDirectory, string? assemblyDirectory)
    {
        if (configured is not null)
        {
            return configured;
        }

        var candidates = Candidates(baseDirectory, assemblyDirectory);
        return candidates.FirstOrDefault(HasBridge) ?? candidates[0];
    }

    /// <summary>Application output first; then beside the grains assembly; then the package layout (lib/tfm/ → python/).</summary>
    public static IReadOnlyList<string> Candidates() =>
        Candidates(AppContext.BaseDirectory, Path.GetDirectoryName(typeof(BridgeLocation).Assembly.Location));

    internal static IReadOnlyList<string> Candidates(string baseDirectory, string? assemblyDirectory)
    {
        var candidates = new List<string> { Path.Combine(baseDirectory, OutputFolder) };
        // Empty for an assembly loaded from memory (single-file publish): only the output folder then.
        if (!string.IsNullOrEmpty(assemblyDirectory))
        {
            candidates.Add(Path.Combine(assemblyDirectory, OutputFolder));
            candidates.Add(Path.GetFullPath(Path.Combine(assemblyDirectory, "..", "..", PackageFolder)));
        }

        return candidates.Distinct(StringComparer.Ordinal).ToList();
    }

    public static bool HasBridge(string directory) => File.Exists(Path.Combine(directory, PythonProcessStartInfo.BridgeScriptName));
}

namespace DSPex.Orleans.Benchmarks.Infrastructure;

/// <summary>Where the things the benchmark starts and writes live, found from the build output.</summary>
public static class BenchmarkPaths
{
    /// <summary>The bridge script ships next to the grains assembly (copied into this output by the project reference).</summary>
    public static string BridgeDirectory => Path.Combine(AppContext.BaseDirectory, "Python");

    /// <summary>The benchmark adapter module (python/dspex_bench_adapter.py), copied next to this assembly.</summary>
    public static string AdapterDirectory => Path.Combine(AppContext.BaseDirectory, "python");

    public const string AdapterModule = "dspex_bench_adapter";

    /// <summary>The repository root: the first parent holding DSPex.Orleans.sln.</summary>
    public static string RepositoryRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "DSPex.Orleans.sln")))
                {
                    return dir.FullName;
                }
            }

            throw new InvalidOperationException($"No DSPex.Orleans.sln above {AppContext.BaseDirectory}.");
        }
    }

    /// <summary>
    /// The real silo executable, built in the same configuration as this benchmark (the project reference builds it).
    /// </summary>
    public static string SiloAssembly
    {
        get
        {
            // .../tests/DSPex.Orleans.Benchmarks/bin/Release/net10.0/ -> configuration and framework folder names.
            var framework = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            var configuration = framework.Parent!.Name;
            var path = Path.Combine(RepositoryRoot, "silo", "bin", configuration, framework.Name, "dspex-silo.dll");
            return File.Exists(path) ? path : throw new FileNotFoundException($"The silo executable is not built: {path}", path);
        }
    }
}

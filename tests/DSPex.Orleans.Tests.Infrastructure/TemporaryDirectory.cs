namespace DSPex.Orleans.Tests.Infrastructure;

/// <summary>A registry root of its own for one test.</summary>
public sealed class TemporaryDirectory : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("dspex-reaper-test-").FullName;

    public IReadOnlyList<string> RegistryFiles(string clusterId)
    {
        var folder = System.IO.Path.Combine(Path, clusterId);
        return Directory.Exists(folder) ? Directory.GetFiles(folder, "silo-*.json") : [];
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}

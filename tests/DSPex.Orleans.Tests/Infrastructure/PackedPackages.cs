using System.IO.Compression;
using System.Xml.Linq;

namespace DSPex.Orleans.Tests.Infrastructure;

/// <summary>
/// The NuGet packages this repository ships, in a folder feed. `.ci/run` packs them (dotnet pack -c Release -o
/// artifacts/packages) and names the folder in DSPEX_PACKAGES_DIR; without it (the README's test command alone) the
/// fixture packs the projects the test build already built, into a temporary folder, with a version of its own
/// (0.1.0-e2e.N) so no package cache can hold an older build under the same version.
/// </summary>
public sealed class PackedPackages : IAsyncLifetime
{
    public static readonly IReadOnlyList<(string Id, string Project)> Shipped =
    [
        ("DSPex.Orleans.Abstractions", "grains.interfaces/DSPex.Orleans.Abstractions.csproj"),
        ("DSPex.Orleans.Client", "client/DSPex.Orleans.Client/DSPex.Orleans.Client.csproj"),
        ("DSPex.Orleans.Workers", "workers/DSPex.Orleans.Workers.csproj"),
        ("DSPex.Orleans.Hosting", "grains/DSPex.Orleans.Hosting.csproj"),
    ];

    private string? _temporary;

    /// <summary>The folder feed holding the .nupkg and .snupkg files.</summary>
    public string Directory { get; private set; } = "";

    /// <summary>The version every package has (one version for everything: Version.props).</summary>
    public string Version { get; private set; } = "";

    public async Task InitializeAsync()
    {
        var fromCi = Environment.GetEnvironmentVariable("DSPEX_PACKAGES_DIR");
        if (!string.IsNullOrEmpty(fromCi))
        {
            Directory = Path.GetFullPath(fromCi, Repository.Root);
            Version = VersionIn(Directory);
            return;
        }

        _temporary = System.IO.Directory.CreateTempSubdirectory("dspex-packages-").FullName;
        Directory = _temporary;
        // tests/DSPex.Orleans.Tests/bin/<configuration>/<tfm>/: pack what this configuration built.
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        var suffix = $"e2e.{DateTime.UtcNow:yyyyMMddHHmmss}.{Environment.ProcessId}";
        foreach (var (_, project) in Shipped)
        {
            var (exit, stdout, stderr) = await DotnetProcess.RunAsync(Repository.Root, TestBounds.Start,
                "pack", project, "-c", configuration, "--no-build", "-o", Directory, $"-p:VersionSuffix={suffix}", "-nodeReuse:false");
            Assert.True(exit == 0, $"dotnet pack {project} failed ({exit}):\n{stdout}\n{stderr}");
        }

        Version = VersionIn(Directory);
        Assert.EndsWith(suffix, Version, StringComparison.Ordinal);
    }

    public Task DisposeAsync()
    {
        if (_temporary is not null)
        {
            System.IO.Directory.Delete(_temporary, recursive: true);
        }

        return Task.CompletedTask;
    }

    public string Package(string id) => Path.Combine(Directory, $"{id}.{Version}.nupkg");

    public string SymbolPackage(string id) => Path.Combine(Directory, $"{id}.{Version}.snupkg");

    /// <summary>The .nuspec of a package, parsed; elements are read by local name.</summary>
    public XElement Nuspec(string id)
    {
        using var zip = ZipFile.OpenRead(Package(id));
        var entry = zip.Entries.Single(e => e.FullName == $"{id}.nuspec");
        using var stream = entry.Open();
        return XDocument.Load(stream).Root!;
    }

    public IReadOnlyList<string> Entries(string id)
    {
        using var zip = ZipFile.OpenRead(Package(id));
        return zip.Entries.Select(e => e.FullName).ToList();
    }

    // The hosting package depends on the others at the same version, so its file name gives the version of the set.
    private static string VersionIn(string directory)
    {
        const string prefix = "DSPex.Orleans.Hosting.";
        var files = System.IO.Directory.GetFiles(directory, prefix + "*.nupkg");
        Assert.True(files.Length == 1, $"expected one DSPex.Orleans.Hosting package in {directory}, found {files.Length}");
        var name = Path.GetFileNameWithoutExtension(files[0]);
        return name[prefix.Length..];
    }
}

using System.Text.Json;
using DSPex.Orleans.Tests.Infrastructure;

namespace DSPex.Orleans.Tests.EndToEnd;

/// <summary>
/// What of grains/Python the hosting package ships (its python/ folder): the SDK's own files, never build debris.
/// A `pip install` with an older pip or setuptools in that folder leaves build/, dist/ and *.egg-info behind (build/lib
/// holds a second copy of every module), and the next `dotnet pack` shipped them. The grains project is evaluated by
/// MSBuild itself (`dotnet msbuild -getItem:Content`) in a copy of the repository's layout with that debris added.
/// </summary>
[Trait("Category", "Process")]
public sealed class HostingPackagePythonFilesTests
{
    [Fact]
    public async Task Build_debris_beside_the_sdk_is_not_packed_and_the_sdk_files_are()
    {
        using var copy = new TemporaryDirectory();
        var grains = Path.Combine(copy.Path, "grains");
        var python = Path.Combine(grains, "Python");
        Directory.CreateDirectory(grains);
        File.Copy(Path.Combine(Repository.Root, "grains", "DSPex.Orleans.Hosting.csproj"), Path.Combine(grains, "DSPex.Orleans.Hosting.csproj"));
        var sdk = await TrackedSdkFilesAsync();
        foreach (var file in sdk)
        {
            var target = Path.Combine(python, file);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(Path.Combine(Repository.Root, "grains", "Python", file), target);
        }

        // What setuptools' bdist_wheel and an in-tree build leave: build/lib and build/bdist copies, an sdist, egg-info.
        string[] debris =
        [
            "build/lib/dspex/__init__.py", "build/lib/dspex/protocol.json", "build/lib/dspex_bridge.py",
            "build/bdist.linux-x86_64/wheel/dspex/cli.py", "dist/dspex-0.1.0.tar.gz", "dspex.egg-info/PKG-INFO",
            "dspex.egg-info/SOURCES.txt", "dspex/__pycache__/cli.cpython-311.pyc", "dspex/__pycache__/stale.json",
        ];
        foreach (var file in debris)
        {
            var target = Path.Combine(python, file);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.WriteAllText(target, "debris");
        }

        var (exit, stdout, stderr) = await DotnetProcess.RunAsync(copy.Path, TestBounds.Start,
            "msbuild", Path.Combine("grains", "DSPex.Orleans.Hosting.csproj"), "-getItem:Content", "-nodeReuse:false");
        Assert.True(exit == 0, $"dotnet msbuild -getItem:Content failed ({exit}):\n{stdout}\n{stderr}");

        using var items = JsonDocument.Parse(stdout);
        var packed = items.RootElement.GetProperty("Items").GetProperty("Content").EnumerateArray()
            .Where(item => item.GetProperty("Pack").GetString() == "true" && item.GetProperty("PackagePath").GetString() == "python")
            .Select(item => Path.GetRelativePath(python, item.GetProperty("FullPath").GetString()!).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.Equal(sdk, packed);
    }

    /// <summary>
    /// The SDK's files, relative to grains/Python: what git tracks there (so nothing a build or a test run left
    /// behind). The hosting package's python/ folder must hold exactly these.
    /// </summary>
    internal static async Task<IReadOnlyList<string>> TrackedSdkFilesAsync()
    {
        var (exitCode, stdout, stderr) = await ProcessRun.RunAsync("git", ["ls-files", "-z", "--", "."], TestBounds.Exit, Path.Combine(Repository.Root, "grains", "Python"));
        Assert.True(exitCode == 0, $"git ls-files failed ({exitCode}): {stderr}");
        // (Distinct: an index in the middle of a merge lists a conflicted file once per stage.)
        var files = stdout.Split('\0', StringSplitOptions.RemoveEmptyEntries).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        Assert.Contains("dspex_bridge.py", files);
        Assert.Contains("pyproject.toml", files);
        return files;
    }
}

using DSPex.Orleans.Configuration;
using DSPex.Orleans.Workers.Python;

namespace DSPex.Orleans.UnitTests.Processes;

/// <summary>
/// Where a pool finds the Python bridge: the configured folder; else Python/ in the application's output (where the
/// build and the DSPex.Orleans.Hosting package copy it); else the python/ folder of the NuGet package the grains
/// assembly was loaded from. A folder without the bridge is refused at start, naming the setting and where it looked.
/// </summary>
[Trait("Category", "Unit")]
public sealed class BridgeLocationTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("dspex-bridge-location-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void The_application_output_comes_first()
    {
        var app = WithBridge(Path.Combine(_root, "app", "Python"));
        var package = Path.Combine(_root, "package");
        WithBridge(Path.Combine(package, "python"));

        Assert.Equal(app, BridgeLocation.Resolve(null, Path.Combine(_root, "app"), Path.Combine(package, "lib", "net10.0")));
    }

    [Fact]
    public void An_assembly_loaded_from_the_package_folder_finds_the_packages_python_folder()
    {
        var package = Path.Combine(_root, "dspex.orleans.hosting", "0.1.0");
        var python = WithBridge(Path.Combine(package, "python"));
        var app = Directory.CreateDirectory(Path.Combine(_root, "app")).FullName;

        Assert.Equal(python, BridgeLocation.Resolve(null, app, Path.Combine(package, "lib", "net10.0")));
    }

    [Fact]
    public void A_configured_folder_is_used_as_written()
    {
        WithBridge(Path.Combine(_root, "app", "Python"));

        Assert.Equal("/opt/bridge", BridgeLocation.Resolve("/opt/bridge", Path.Combine(_root, "app"), null));
    }

    [Fact]
    public void The_test_build_finds_its_own_copy() =>
        Assert.True(BridgeLocation.HasBridge(BridgeLocation.Resolve(null)), string.Join(", ", BridgeLocation.Candidates()));

    [Fact]
    public void A_configured_folder_without_the_bridge_is_refused_naming_the_setting()
    {
        var empty = Directory.CreateDirectory(Path.Combine(_root, "empty")).FullName;

        var result = new DSPexPoolOptionsValidator().Validate(null, new DSPexPoolOptions { BridgeDirectory = empty });

        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f == $"DSPex:Pool:BridgeDirectory must be a folder holding dspex_bridge.py (is {empty}).");
    }

    private static string WithBridge(string directory)
    {
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, PythonProcessStartInfo.BridgeScriptName), "# bridge\n");
        return directory;
    }
}

using System.Text.Json;
using DSPex.Orleans.Tests.Infrastructure;

namespace DSPex.Orleans.Tests.EndToEnd;

/// <summary>
/// No build-time-only assembly reaches run time: the CLI's and the example client's build output carry no Roslyn
/// (Microsoft.CodeAnalysis*, which Orleans' packages bring for their code generator), nothing it alone needs
/// (Humanizer, System.Composition), and no resource-language folders; their deps.json do not ask for them either.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class RuntimeOutputTests
{
    private static readonly string[] BuildTimeOnly = ["Microsoft.CodeAnalysis", "Humanizer", "System.Composition"];

    public static TheoryData<string> Projects => new()
    {
        "client/DSPex.Orleans.Cli/DSPex.Orleans.Cli.csproj",
        "examples/ToolsAgent/ToolsAgent.csproj",
    };

    [Theory]
    [MemberData(nameof(Projects))]
    public async Task The_output_has_no_build_time_only_assembly_and_no_resource_language_folder(string project)
    {
        // Not bin/: a build adds and overwrites files there but never removes one, so a checkout built before the
        // exclusions kept Roslyn in bin/ though no build puts it there now, and this test failed on it. Published with
        // no build into a folder of the test's own, the output is exactly the files this build gives the run time.
        using var folder = new TemporaryDirectory();
        var output = Path.Combine(folder.Path, "output");
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        var (exit, stdout, stderr) = await DotnetProcess.RunAsync(Repository.Root, TestBounds.Start,
            "publish", project, "-c", configuration, "--no-build", "-o", output, "-nodeReuse:false");
        Assert.True(exit == 0, $"dotnet publish --no-build of {project} failed ({exit}):\n{stdout}\n{stderr}");

        var assemblies = Directory.GetFiles(output, "*.dll").Select(Path.GetFileName).ToList();
        Assert.Contains(assemblies, a => a!.StartsWith("Orleans.Core", StringComparison.Ordinal)); // the right folder
        Assert.DoesNotContain(assemblies, a => BuildTimeOnly.Any(prefix => a!.StartsWith(prefix, StringComparison.Ordinal)));

        var resourceFolders = Directory.GetDirectories(output).Where(d => Directory.EnumerateFiles(d, "*.resources.dll").Any()).Select(Path.GetFileName);
        Assert.Empty(resourceFolders);

        var depsFile = Assert.Single(Directory.GetFiles(output, "*.deps.json"));
        using var deps = JsonDocument.Parse(File.ReadAllText(depsFile));
        var runtime = deps.RootElement.GetProperty("targets").EnumerateObject().SelectMany(t => t.Value.EnumerateObject())
            .Where(library => library.Value.TryGetProperty("runtime", out _)).Select(library => library.Name).ToList();
        Assert.DoesNotContain(runtime, name => BuildTimeOnly.Any(prefix => name.StartsWith(prefix, StringComparison.Ordinal)));
    }
}

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

    public static TheoryData<string> Outputs => new()
    {
        Path.GetDirectoryName(CliProcess.Assembly)!,
        // examples/ToolsAgent/bin/<configuration>/<tfm>/, built beside the tests as the CLI is.
        Path.Combine(Repository.Root, "examples", "ToolsAgent", "bin", new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name, new DirectoryInfo(AppContext.BaseDirectory).Name),
    };

    [Theory]
    [MemberData(nameof(Outputs))]
    public void The_output_has_no_build_time_only_assembly_and_no_resource_language_folder(string output)
    {
        output = Path.GetFullPath(output);
        Assert.True(Directory.Exists(output), $"{output} is not built");
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

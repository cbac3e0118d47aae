using System.Xml.Linq;
using DSPex.Orleans.Tests.Infrastructure;

namespace DSPex.Orleans.UnitTests.Architecture;

/// <summary>
/// One name per project (CONTRIBUTING.md#project-names): a library's project file, assembly and package are the same
/// name; an executable's project file and package share one, and its assembly is the command it installs. Read from the
/// project files of the solution, so a new project is held to it too.
/// </summary>
[Trait("Category", "Unit")]
public sealed class ProjectNameTests
{
    private static IEnumerable<(string Path, string Name, XElement Project)> Projects() =>
        File.ReadAllLines(Path.Combine(Repository.Root, "DSPex.Orleans.sln"))
            .Where(line => line.StartsWith("Project(", StringComparison.Ordinal))
            .Select(line => line.Split('"')[5].Replace('\\', '/'))
            .Where(path => path.EndsWith(".csproj", StringComparison.Ordinal))
            .Select(path => (path, System.IO.Path.GetFileNameWithoutExtension(path), XElement.Load(System.IO.Path.Combine(Repository.Root, path))));

    private static string? Property(XElement project, string name) =>
        project.Descendants(name).Select(e => e.Value.Trim()).LastOrDefault();

    [Fact]
    public void Every_package_is_named_as_its_project_file()
    {
        var packable = Projects().Where(p => Property(p.Project, "IsPackable") == "true").ToList();
        Assert.Equal(
            ["DSPex.Orleans.Abstractions", "DSPex.Orleans.Cli", "DSPex.Orleans.Client", "DSPex.Orleans.Hosting", "DSPex.Orleans.Workers"],
            packable.Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Empty(packable.Where(p => (Property(p.Project, "PackageId") ?? p.Name) != p.Name).Select(p => p.Path));
    }

    [Fact]
    public void Every_library_assembly_is_named_as_its_project_file_and_every_executable_as_its_command()
    {
        foreach (var (path, name, project) in Projects())
        {
            var assembly = Property(project, "AssemblyName") ?? name;
            if (Property(project, "OutputType") != "Exe")
            {
                Assert.True(assembly == name, $"{path}: a library's assembly is named as its project file, not {assembly}");
            }
            else if (Property(project, "ToolCommandName") is { } command)
            {
                Assert.True(assembly == command, $"{path}: a tool's assembly is its command {command}, not {assembly}");
            }
        }
    }

    [Fact]
    public void The_libraries_built_are_the_names_of_their_packages()
    {
        Assert.Equal("DSPex.Orleans.Abstractions", typeof(DSPex.Orleans.Contracts.ExecuteRequest).Assembly.GetName().Name);
        Assert.Equal("DSPex.Orleans.Hosting", typeof(DSPex.Orleans.Hosting.DSPexSiloBuilderExtensions).Assembly.GetName().Name);
    }
}

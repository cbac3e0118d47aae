using System.Reflection;
using DSPex.Orleans.Client;
using DSPex.Orleans.UnitTests.Deployment;

namespace DSPex.Orleans.UnitTests.Docs;

/// <summary>
/// docs/configuration.md names every setting of every options class in the grains and the client library (a class
/// with a SectionName), so a new setting cannot ship undocumented.
/// </summary>
[Trait("Category", "Unit")]
public sealed class ConfigurationReferenceTests
{
    [Fact]
    public void Every_options_property_is_in_the_configuration_reference()
    {
        var reference = File.ReadAllText(Path.Combine(RepositoryFiles.Root, "docs", "configuration.md"));
        var assemblies = new[] { Assembly.Load("DSPex.Orleans.Hosting"), typeof(DSPexClient).Assembly };
        var sections = assemblies.SelectMany(a => a.GetTypes())
            .Select(t => (Type: t, Section: t.GetField("SectionName", BindingFlags.Public | BindingFlags.Static)?.GetRawConstantValue() as string))
            .Where(s => s.Section is not null)
            .ToList();
        Assert.True(sections.Count >= 5, $"found only {sections.Count} options classes: {string.Join(", ", sections.Select(s => s.Type.Name))}");

        var missing = sections
            .SelectMany(s => s.Type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .Where(p => p.SetMethod is { IsPublic: true })
                .Select(p => $"{s.Section}:{p.Name}"))
            .Where(key => !reference.Contains($"`{key}", StringComparison.Ordinal) && !reference.Contains($"{key}:", StringComparison.Ordinal))
            .ToList();
        Assert.True(missing.Count == 0, $"docs/configuration.md does not name: {string.Join(", ", missing)}");
    }
}

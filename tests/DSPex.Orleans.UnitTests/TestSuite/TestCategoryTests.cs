using DSPex.Orleans.Tests.Infrastructure;

namespace DSPex.Orleans.UnitTests.TestSuite;

/// <summary>
/// This project is the unit layer and nothing else: `dotnet test tests/DSPex.Orleans.UnitTests` runs exactly the tests
/// that need no process, Python, Redis or cluster, and every class here says so.
/// </summary>
[Trait("Category", "Unit")]
public sealed class TestCategoryTests
{
    [Fact]
    public void Every_test_class_here_is_in_the_unit_layer()
    {
        var testClasses = TestLayers.TestClasses(typeof(TestCategoryTests).Assembly);
        Assert.Contains(typeof(TestCategoryTests), testClasses);

        var wrong = TestLayers.Misfiled(typeof(TestCategoryTests).Assembly, [TestLayers.Unit]);
        Assert.True(wrong.Count == 0, $"test classes in the unit project without exactly Category=Unit:\n{string.Join('\n', wrong)}");
    }

    [Fact]
    public void The_unit_layer_references_no_process_host()
    {
        // The silo executable, the CLI and the examples are what the other layers start as processes: a unit test that
        // needs one belongs there, and referencing them would build them before the fast layer can run.
        string[] hosts = ["dspex-silo", "dspex", "ToolsAgent", "DSPex.Orleans.Tests"];
        var referenced = typeof(TestCategoryTests).Assembly.GetReferencedAssemblies().Select(a => a.Name).ToList();
        Assert.Empty(referenced.Intersect(hosts));
        var project = File.ReadAllText(Path.Combine(Repository.Root, "tests", "DSPex.Orleans.UnitTests", "DSPex.Orleans.UnitTests.csproj"));
        foreach (var folder in new[] { @"..\..\silo\", @"DSPex.Orleans.Cli\DSPex.Orleans.Cli.csproj", @"..\..\examples\", @"DSPex.Orleans.Tests\DSPex.Orleans.Tests.csproj" })
        {
            Assert.DoesNotContain(folder, project, StringComparison.Ordinal);
        }
    }
}

using System.Reflection;
using System.Text.RegularExpressions;
using DSPex.Orleans.Tests.Infrastructure;
using Xunit.Abstractions;

namespace DSPex.Orleans.Tests.TestSuite;

/// <summary>
/// This project holds the layers that start something (a test cluster, a silo process, redis-server), each class
/// labelled with exactly one, so `--filter Category=...` selects a layer. A unit test belongs in
/// tests/DSPex.Orleans.UnitTests (no process host, run first, in parallel); these checks are the one exception, as they
/// check the assembly they are in.
/// </summary>
[Trait("Category", "Unit")]
public sealed class TestLayerTests
{
    [Fact]
    public void Every_test_class_here_has_exactly_one_layer_other_than_unit()
    {
        var assembly = typeof(TestLayerTests).Assembly;
        Assert.Contains(typeof(TestLayerTests), TestLayers.TestClasses(assembly));

        var wrong = TestLayers.Misfiled(assembly, TestLayers.All.Except([TestLayers.Unit]).ToList())
            .Where(line => !line.StartsWith(typeof(TestLayerTests).FullName + ":", StringComparison.Ordinal))
            .ToList();
        Assert.True(wrong.Count == 0,
            $"test classes without exactly one of Category {string.Join('/', TestLayers.All.Skip(1))} (a unit test goes to tests/DSPex.Orleans.UnitTests):\n{string.Join('\n', wrong)}");
    }

    [Fact]
    public void Only_the_audited_side_by_side_collections_run_beside_the_chain_of_classes()
    {
        // TestSuite/SideBySide.cs: a collection runs beside the others unless it disables parallelization, so a new
        // shared collection that forgot to would run its classes beside classes written for one class at a time.
        var assembly = typeof(TestLayerTests).Assembly;
        var audited = typeof(SideBySide).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.Name != nameof(SideBySide.Prefix))
            .Select(f => (string)f.GetRawConstantValue()!)
            .ToHashSet();
        var wrong = new List<string>();
        foreach (var definition in assembly.GetTypes().Where(t => t.GetCustomAttribute<CollectionDefinitionAttribute>() is not null))
        {
            var attribute = definition.GetCustomAttribute<CollectionDefinitionAttribute>()!;
            var name = (string?)definition.GetCustomAttributesData().Single(a => a.AttributeType == typeof(CollectionDefinitionAttribute)).ConstructorArguments[0].Value;
            if (!attribute.DisableParallelization && !audited.Contains(name!))
            {
                wrong.Add($"{definition.FullName}: collection '{name}' runs beside the others (DisableParallelization = true, or audit it into SideBySide)");
            }
        }

        foreach (var testClass in TestLayers.TestClasses(assembly))
        {
            var named = testClass.GetCustomAttributesData().SingleOrDefault(a => a.AttributeType == typeof(CollectionAttribute));
            var name = named?.ConstructorArguments[0].Value as string;
            if (name is not null && name.StartsWith(SideBySide.Prefix, StringComparison.Ordinal) && !audited.Contains(name))
            {
                wrong.Add($"{testClass.FullName}: collection '{name}' is not one of SideBySide's");
            }
        }

        Assert.True(wrong.Count == 0, string.Join('\n', wrong));
        Assert.NotEmpty(audited);
    }

    [Fact]
    public void The_chain_of_classes_starts_before_the_side_by_side_collections()
    {
        // TestSuite/ChainFirstOrderer.cs: xunit's own orderer is random, and a chain started last gains half as much.
        var assembly = new Xunit.Sdk.TestAssembly(Xunit.Sdk.Reflector.Wrap(typeof(TestLayerTests).Assembly));
        const string chain = "Test collection for DSPex.Orleans.Tests.dll";
        var collections = new[] { SideBySide.Cli, SideBySide.Affinity, chain, SideBySide.CliPool }
            .Select(name => (ITestCollection)new Xunit.Sdk.TestCollection(assembly, null, name))
            .ToList();

        var ordered = new ChainFirstOrderer().OrderTestCollections(collections).Select(c => c.DisplayName).ToList();

        Assert.Equal([chain, SideBySide.Affinity, SideBySide.CliPool, SideBySide.Cli], ordered);
        var attribute = typeof(TestLayerTests).Assembly.GetCustomAttributesData().Single(a => a.AttributeType == typeof(TestCollectionOrdererAttribute));
        Assert.Equal(typeof(ChainFirstOrderer).FullName, attribute.ConstructorArguments[0].Value);
    }

    [Fact]
    public void No_side_by_side_class_names_what_must_stay_in_the_chain()
    {
        // TestSuite/SideBySide.cs: a class that stops or scans processes, reads /proc, listens process-wide or sets the
        // environment stays in the chain, and its source (or its fixtures') names the means. (A CLI deadline a test
        // expects to pass is audited by reading: the same option appears where a test expects the failure.)
        string[] chainOnly =
        [
            "SIGSTOP", "ProcessesWithMarker", "\"/proc", "DeathWatchOf", "SetEnvironmentVariable", "MeterListener",
            "ActivityListener",
        ];
        var assembly = typeof(TestLayerTests).Assembly;
        var root = Path.Combine(Repository.Root, "tests", "DSPex.Orleans.Tests");
        var separator = Path.DirectorySeparatorChar;
        var sources = Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{separator}obj{separator}", StringComparison.Ordinal) && !f.Contains($"{separator}bin{separator}", StringComparison.Ordinal))
            .Select(f => (File: f, Text: File.ReadAllText(f)))
            .ToList();
        var checkedClasses = 0;
        var wrong = new List<string>();
        foreach (var testClass in TestLayers.TestClasses(assembly))
        {
            var name = testClass.GetCustomAttributesData().SingleOrDefault(a => a.AttributeType == typeof(CollectionAttribute))?.ConstructorArguments[0].Value as string;
            if (name is null || !name.StartsWith(SideBySide.Prefix, StringComparison.Ordinal))
            {
                continue;
            }

            // The class and the fixtures it is given (a class or collection fixture is a constructor parameter).
            var types = testClass.GetConstructors().SelectMany(c => c.GetParameters()).Select(p => p.ParameterType).Prepend(testClass);
            foreach (var type in types.Where(t => t.Assembly == assembly))
            {
                var declaration = new Regex($@"\b(class|record|struct)\s+{Regex.Escape(type.Name)}\b");
                var files = sources.Where(s => declaration.IsMatch(s.Text)).ToList();
                Assert.True(files.Count > 0, $"{type.FullName}: no source file under {root} declares it");
                wrong.AddRange(files.SelectMany(s => chainOnly.Where(word => s.Text.Contains(word, StringComparison.Ordinal))
                    .Select(word => $"{testClass.FullName} runs side by side ('{name}') but {Path.GetFileName(s.File)} uses {word}")));
            }

            checkedClasses++;
        }

        Assert.True(wrong.Count == 0, string.Join('\n', wrong));
        Assert.True(checkedClasses > 0, "no class runs side by side: the check checked nothing");
    }
}

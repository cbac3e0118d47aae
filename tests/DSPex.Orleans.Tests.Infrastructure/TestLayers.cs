using System.Reflection;

namespace DSPex.Orleans.Tests.Infrastructure;

/// <summary>
/// The test layers and which project holds which: the unit layer is its own project (no process host, run first and in
/// parallel), every other layer lives in DSPex.Orleans.Tests. Each test project checks its own assembly with this,
/// so a test in the wrong project, or without exactly one layer, fails the fast layer of that project.
/// </summary>
public static class TestLayers
{
    /// <summary>Needs nothing but memory and files.</summary>
    public const string Unit = "Unit";

    /// <summary>Every layer, in the order CI runs them (docs: CONTRIBUTING.md, "Test").</summary>
    public static readonly IReadOnlyList<string> All = [Unit, "Cluster", "Process", "Redis", "EndToEnd"];

    // Matched by name so this project needs no xunit reference (the benchmarks use it too).
    private const string TraitAttribute = "Xunit.TraitAttribute";
    private const string FactAttribute = "Xunit.FactAttribute";

    /// <summary>The classes of <paramref name="tests"/> with test methods.</summary>
    public static IReadOnlyList<Type> TestClasses(Assembly tests) =>
        tests.GetTypes()
            .Where(t => t.GetMethods().Any(m => m.GetCustomAttributes(inherit: true).Any(a => IsOrDerivesFrom(a.GetType(), FactAttribute))))
            .ToList();

    /// <summary>The categories a class declares with [Trait("Category", ...)].</summary>
    public static IReadOnlyList<string?> CategoriesOf(Type testClass) =>
        testClass.GetCustomAttributesData()
            .Where(a => a.AttributeType.FullName == TraitAttribute && (string?)a.ConstructorArguments[0].Value == "Category")
            .Select(a => (string?)a.ConstructorArguments[1].Value)
            .ToList();

    /// <summary>
    /// Test classes of <paramref name="tests"/> that do not carry exactly one of <paramref name="allowed"/>, as
    /// "type: [categories]" lines (empty when all is well).
    /// </summary>
    public static IReadOnlyList<string> Misfiled(Assembly tests, IReadOnlyCollection<string> allowed) =>
        TestClasses(tests)
            .Select(t => (Type: t, Categories: CategoriesOf(t)))
            .Where(c => c.Categories.Count != 1 || !allowed.Contains(c.Categories[0]!))
            .Select(c => $"{c.Type.FullName}: [{string.Join(", ", c.Categories)}]")
            .ToList();

    private static bool IsOrDerivesFrom(Type type, string fullName)
    {
        for (var t = type; t is not null; t = t.BaseType)
        {
            if (t.FullName == fullName)
            {
                return true;
            }
        }

        return false;
    }
}

using System.Reflection;

namespace DSPex.Orleans.Tests.Unit.TestSuite;

/// <summary>
/// Every test class says which layer it belongs to, so `--filter Category=Unit` is the whole fast layer and nothing
/// that needs a process, Python, Redis or a cluster slips into it unlabelled.
/// </summary>
[Trait("Category", "Unit")]
public sealed class TestCategoryTests
{
    private static readonly string[] Categories = ["Unit", "Cluster", "Process", "Redis", "EndToEnd"];

    [Fact]
    public void Every_test_class_has_exactly_one_known_category()
    {
        var testClasses = typeof(TestCategoryTests).Assembly.GetTypes()
            .Where(t => t.GetMethods().Any(m => m.GetCustomAttributes<FactAttribute>(inherit: true).Any()))
            .ToList();
        Assert.Contains(typeof(TestCategoryTests), testClasses);

        var wrong = testClasses
            .Select(t => (Type: t, Categories: t.GetCustomAttributesData()
                .Where(a => a.AttributeType == typeof(TraitAttribute) && (string?)a.ConstructorArguments[0].Value == "Category")
                .Select(a => (string?)a.ConstructorArguments[1].Value)
                .ToList()))
            .Where(c => c.Categories.Count != 1 || !Categories.Contains(c.Categories[0]))
            .Select(c => $"{c.Type.FullName}: [{string.Join(", ", c.Categories)}]")
            .ToList();
        Assert.True(wrong.Count == 0, $"test classes without exactly one of Category {string.Join('/', Categories)}:\n{string.Join('\n', wrong)}");
    }

    [Fact]
    public void Unit_tests_live_under_Unit_or_Deployment_or_are_named_here()
    {
        // A unit test elsewhere is fine when it needs nothing but files and memory; this list makes that a decision.
        string[] elsewhere = ["DSPex.Orleans.Tests.Security.ReloadingCertificateTests"];
        var misplaced = typeof(TestCategoryTests).Assembly.GetTypes()
            .Where(t => t.GetCustomAttributes<TraitAttribute>().Any())
            .Where(t => t.GetCustomAttributesData().Any(a => a.AttributeType == typeof(TraitAttribute) && (string?)a.ConstructorArguments[1].Value == "Unit"))
            .Where(t => !(t.Namespace ?? "").StartsWith("DSPex.Orleans.Tests.Unit", StringComparison.Ordinal)
                && t.Namespace != "DSPex.Orleans.Tests.Deployment"
                && !elsewhere.Contains(t.FullName))
            .Select(t => t.FullName)
            .ToList();
        Assert.Empty(misplaced);
    }
}

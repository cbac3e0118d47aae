using System.Text.RegularExpressions;
using DSPex.Orleans.Tests.Infrastructure;

namespace DSPex.Orleans.UnitTests.TestSuite;

/// <summary>
/// The README's test command (tests/run, which .ci/run runs) runs the unit project first and stops when it fails, then every other layer of
/// tests/DSPex.Orleans.Tests, and sums its summary line over the stages.
/// </summary>
[Trait("Category", "Unit")]
public sealed partial class CiStagesTests
{
    private static readonly string Script = File.ReadAllText(Path.Combine(Repository.Root, "tests", "run"));

    [GeneratedRegex(@"^stage (?<name>\S+) (?<args>.+)$", RegexOptions.Multiline)]
    private static partial Regex StageLine();

    [GeneratedRegex(@"Category=(?<category>\w+)")]
    private static partial Regex CategoryFilter();

    [Fact]
    public void The_unit_project_runs_first_and_a_failure_stops_ci_before_the_other_stages()
    {
        var stages = StageLine().Matches(Script).ToList();
        Assert.True(stages.Count >= 2, $"stages in tests/run: {stages.Count}");
        Assert.StartsWith("tests/DSPex.Orleans.UnitTests ", stages[0].Groups["args"].Value, StringComparison.Ordinal);

        var between = Script[(stages[0].Index + stages[0].Length)..stages[1].Index];
        Assert.Matches(@"if \[ ""\$status"" -ne 0 \]; then[\s\S]*exit ""\$status""", between);
    }

    [Fact]
    public void The_other_stages_cover_every_other_layer_of_the_tests_project()
    {
        var covered = StageLine().Matches(Script).Skip(1)
            .Where(s => s.Groups["args"].Value.StartsWith("tests/DSPex.Orleans.Tests ", StringComparison.Ordinal))
            .SelectMany(s => CategoryFilter().Matches(s.Groups["args"].Value).Select(m => m.Groups["category"].Value))
            .ToList();
        Assert.All(TestLayers.All.Except([TestLayers.Unit]), layer => Assert.Contains(layer, covered));
        // Each layer once: a class run in two stages would count twice in the summary.
        Assert.Equal(covered.Count, covered.Distinct().Count());
    }

    [Fact]
    public void The_summary_line_sums_the_stages()
    {
        Assert.Contains("""echo "tests: ${total_passed} passed, ${total_failed} failed" """.TrimEnd(), Script, StringComparison.Ordinal);
    }
}


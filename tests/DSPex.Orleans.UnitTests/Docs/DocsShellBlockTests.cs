namespace DSPex.Orleans.UnitTests.Docs;

/// <summary>
/// Every shell block in README.md and docs/ says in its fence whether a test runs it or why none does: ```sh run-by-test
/// (DocsShellBlockTests in tests/DSPex.Orleans.Tests runs those, page by page, and fails on a non-zero exit), or one
/// reason from <see cref="NotRunReasons"/>. So a new shell example is either run or honestly excused, and the reason is
/// visible to the reader as well as to CI.
/// </summary>
[Trait("Category", "Unit")]
public sealed class DocsShellBlockTests
{
    public const string RunByTest = "run-by-test";

    /// <summary>Why a block is not run here, each reason a fence word. A block needs exactly one marker.</summary>
    public static readonly IReadOnlyDictionary<string, string> NotRunReasons = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["needs-silo"] = "starts a silo that serves until stopped, or calls a running one",
        ["needs-kubernetes"] = "runs kubectl or kustomize against a cluster",
        ["needs-docker"] = "builds or pushes an image (needs a Docker engine and a registry)",
        ["needs-network"] = "fetches from a package feed into a project of the reader's",
        ["installs"] = "creates a virtual environment and installs into it",
        ["long-running"] = "a benchmark, a packing or a test run: minutes of the whole machine (CI or the benchmarks run it)",
        ["settings"] = "environment settings to give a silo, not commands",
    };

    [Fact]
    public void Every_shell_block_is_run_by_a_test_or_says_why_not()
    {
        var shell = DocsCompileTests.Blocks().Where(b => b.IsShell).ToList();
        Assert.True(shell.Count >= 20, $"only {shell.Count} shell blocks: the extractor lost them");

        var problems = new List<string>();
        foreach (var block in shell)
        {
            var markers = block.Markers.Where(m => m == RunByTest || NotRunReasons.ContainsKey(m)).ToList();
            var unknown = block.Markers.Except(markers).ToList();
            if (markers.Count != 1 || unknown.Count > 0)
            {
                problems.Add($"{block.Page}:{block.Line} ```{block.Language} {string.Join(' ', block.Markers)}".TrimEnd()
                    + (unknown.Count > 0 ? $" (unknown: {string.Join(", ", unknown)})" : ""));
            }
        }

        Assert.True(problems.Count == 0,
            $"shell blocks need exactly one marker in the fence, {RunByTest} or a reason ({string.Join(", ", NotRunReasons.Keys)}):\n  "
            + string.Join("\n  ", problems));
    }

    [Fact]
    public void Shell_blocks_use_one_fence_spelling()
    {
        // ```sh only: the extractor, the Process test that runs blocks and readers' highlighters agree on it.
        var others = DocsCompileTests.Blocks().Where(b => b.IsShell && b.Language != "sh").Select(b => $"{b.Page}:{b.Line}").ToList();
        Assert.True(others.Count == 0, $"shell blocks fenced other than ```sh: {string.Join(", ", others)}");
    }

    [Fact]
    public void The_cheap_examples_are_run_by_a_test()
    {
        // The blocks that can run here without a cluster, a network or minutes of CPU: if one loses its run-by-test
        // marker (marked needs-... instead), the docs' first steps are no longer checked.
        var run = DocsCompileTests.Blocks().Where(b => b.IsShell && b.Markers.Contains(RunByTest)).Select(b => b.Page).Distinct().ToList();
        Assert.Contains("docs/writing-adapters.md", run);
        Assert.Contains("docs/security.md", run);
        // A block run by the test must not reach a silo, a cluster or the network.
        foreach (var block in DocsCompileTests.Blocks().Where(b => b.IsShell && b.Markers.Contains(RunByTest)))
        {
            foreach (var word in new[] { "kubectl", "docker", "dotnet run", "pip install", "dspex exec", "curl" })
            {
                Assert.False(block.Code.Contains(word, StringComparison.Ordinal), $"{block.Page}:{block.Line} is {RunByTest} but runs {word}");
            }
        }
    }
}

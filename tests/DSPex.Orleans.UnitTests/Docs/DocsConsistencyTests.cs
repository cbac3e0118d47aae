using DSPex.Orleans.UnitTests.Deployment;

namespace DSPex.Orleans.UnitTests.Docs;

/// <summary>
/// The docs agree with each other and with what they describe: no page installs pip into a silo image (the image has
/// none; the derived-image example uses a virtual environment), every page that runs `kustomize edit` says where
/// kustomize comes from, and what tools.md says the agent example prints on a cancelled search is what it prints.
/// </summary>
[Trait("Category", "Unit")]
public sealed class DocsConsistencyTests
{
    private static readonly string Docs = Path.Combine(RepositoryFiles.Root, "docs");

    private static IEnumerable<(string Page, string Text)> Pages() =>
        Directory.EnumerateFiles(Docs, "*.md", SearchOption.AllDirectories).Append(Path.Combine(RepositoryFiles.Root, "README.md"))
            .Select(page => (Path.GetRelativePath(RepositoryFiles.Root, page), File.ReadAllText(page)));

    [Fact]
    public void No_page_installs_pip_into_a_silo_image()
    {
        Assert.Contains("no pip", File.ReadAllText(Path.Combine(Docs, "packaging.md")), StringComparison.Ordinal);
        var installing = Pages().Where(p => p.Text.Contains("python3-pip", StringComparison.Ordinal) || p.Text.Contains("--break-system-packages", StringComparison.Ordinal))
            .Select(p => p.Page).ToList();
        Assert.True(installing.Count == 0, $"pages that install pip into an image, which packaging.md says has none: {string.Join(", ", installing)}");
    }

    [Fact]
    public void Every_page_that_runs_kustomize_edit_says_where_kustomize_comes_from()
    {
        var silent = Pages().Where(p => p.Text.Contains("kustomize edit", StringComparison.Ordinal)
                && !p.Text.Contains("kustomize/)", StringComparison.Ordinal) && !p.Text.Contains("the `kustomize` binary", StringComparison.Ordinal))
            .Select(p => p.Page).ToList();
        Assert.True(silent.Count == 0, $"pages that run `kustomize edit` without saying it needs the kustomize binary: {string.Join(", ", silent)}");
    }

    [Fact]
    public void What_tools_md_says_the_agent_example_prints_on_a_cancelled_search_is_what_it_prints()
    {
        var tools = File.ReadAllText(Path.Combine(Docs, "tools.md"));
        var program = File.ReadAllText(Path.Combine(RepositoryFiles.Root, "examples", "ToolsAgent", "Program.cs"));
        foreach (var line in new[] { "tool search started", "tool search cancelled", "the agent failed: " })
        {
            Assert.Contains(line, tools.ReplaceLineEndings(" ").Replace("  ", " ", StringComparison.Ordinal), StringComparison.Ordinal);
            Assert.Contains(line, program, StringComparison.Ordinal);
        }
    }
}

using System.Text.RegularExpressions;
using DSPex.Orleans.UnitTests.Deployment;

namespace DSPex.Orleans.UnitTests.Docs;

/// <summary>
/// The README stays a front page (under 12 KB) with the commands users depend on, and every relative link in it and
/// in docs/ and CONTRIBUTING.md points at a file that exists.
/// </summary>
[Trait("Category", "Unit")]
public sealed partial class ReadmeTests
{
    private static readonly string Readme = Path.Combine(RepositoryFiles.Root, "README.md");

    [Fact]
    public void The_readme_is_under_12_KB_and_gives_the_two_commands_and_the_unit_command()
    {
        Assert.True(new FileInfo(Readme).Length < 12 * 1024, $"README.md is {new FileInfo(Readme).Length} bytes");
        var text = File.ReadAllText(Readme);
        Assert.Contains("dotnet run -c Release --project silo -- --demo", text);
        // The test command, and CI runs exactly it.
        Assert.Contains("```sh long-running\ntests/run\n```", text);
        Assert.Contains("\nbash tests/run\n", File.ReadAllText(Path.Combine(RepositoryFiles.Root, ".ci", "run")));
        Assert.Contains("dotnet test tests/DSPex.Orleans.UnitTests -c Release\n", text);
    }

    [Fact]
    public void Every_relative_link_in_the_docs_resolves()
    {
        var pages = new[] { Readme, Path.Combine(RepositoryFiles.Root, "CONTRIBUTING.md") }
            .Concat(Directory.EnumerateFiles(Path.Combine(RepositoryFiles.Root, "docs"), "*.md", SearchOption.AllDirectories))
            .ToList();
        var broken = new List<string>();
        var checkedLinks = 0;
        foreach (var page in pages)
        {
            foreach (Match link in MarkdownLink().Matches(File.ReadAllText(page)))
            {
                var target = link.Groups["target"].Value.Split('#')[0];
                if (target.Length == 0 || target.Contains("://", StringComparison.Ordinal))
                {
                    continue;
                }

                checkedLinks++;
                var path = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(page)!, target));
                if (!File.Exists(path) && !Directory.Exists(path))
                {
                    broken.Add($"{Path.GetRelativePath(RepositoryFiles.Root, page)}: {target}");
                }
            }
        }

        Assert.True(checkedLinks > 20, $"only {checkedLinks} relative links found");
        Assert.Empty(broken);
    }

    [GeneratedRegex(@"\]\((?<target>[^)\s]+)\)")]
    private static partial Regex MarkdownLink();
}

using System.Text;
using System.Text.RegularExpressions;

namespace DSPex.Orleans.Tests.Infrastructure;

/// <summary>A fenced block of README.md or docs/: page (relative), the fence's line, language, whether a fragment, code.</summary>
public sealed record DocBlock(string Page, int Line, string Language, bool IsFragment, string Code)
{
    public bool IsCSharp => Language is "csharp" or "cs" or "c#" or "C#";

    public bool IsShell => Language is "sh" or "bash" or "shell" or "console" or "zsh";

    /// <summary>The fence's words after the language (```sh needs-silo: ["needs-silo"]).</summary>
    public IReadOnlyList<string> Markers { get; init; } = [];

    /// <summary>The code's lines, without the line end after the last.</summary>
    public IReadOnlyList<string> CodeLines => Code.Length == 0 ? [] : Code.TrimEnd('\n').Split('\n');
}

/// <summary>
/// The one reader of the docs' fenced blocks, for every test that checks them: the C# blocks compile (unit), the shell
/// blocks say whether they run and why not (unit), and the run-by-test ones run (process layer).
/// </summary>
public static partial class DocBlocks
{
    /// <summary>The fenced blocks of README.md and docs/**/*.md, in page order then line order.</summary>
    public static IReadOnlyList<DocBlock> All()
    {
        var pages = new[] { Path.Combine(Repository.Root, "README.md") }
            .Concat(Directory.EnumerateFiles(Path.Combine(Repository.Root, "docs"), "*.md", SearchOption.AllDirectories).Order(StringComparer.Ordinal));
        var blocks = new List<DocBlock>();
        foreach (var page in pages)
        {
            var lines = File.ReadAllLines(page);
            var relative = Path.GetRelativePath(Repository.Root, page).Replace('\\', '/');
            for (var i = 0; i < lines.Length; i++)
            {
                var open = Fence().Match(lines[i]);
                if (!open.Success)
                {
                    continue;
                }

                var fence = open.Groups["fence"].Value;
                var info = open.Groups["info"].Value.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
                var code = new StringBuilder();
                var start = i;
                for (i++; i < lines.Length && !(lines[i].TrimStart().StartsWith(fence, StringComparison.Ordinal) && lines[i].Trim().Trim('`').Length == 0); i++)
                {
                    code.Append(lines[i]).Append('\n');
                }

                blocks.Add(new DocBlock(relative, start + 1, info.FirstOrDefault() ?? "", info.Skip(1).Contains("fragment", StringComparer.Ordinal), code.ToString()) { Markers = [.. info.Skip(1)] });
            }
        }

        return blocks;
    }

    [GeneratedRegex(@"^\s{0,3}(?<fence>```+)(?<info>[^`]*)$")]
    private static partial Regex Fence();
}

using System.Diagnostics;
using System.Globalization;
using System.Text;
using DSPex.Orleans.Tests.Infrastructure;

namespace DSPex.Orleans.Tests.Docs;

/// <summary>
/// Runs the shell blocks of README.md and docs/ fenced ```sh run-by-test, as a reader would: a page's blocks in order,
/// in one shell (so a `cd` in one carries to the next), in a fresh folder, with grains/Python on PYTHONPATH (the
/// documented alternative to installing the SDK). A line `#> TEXT` in a block is output the commands before it print:
/// each must appear in standard output, in order. A non-zero exit or missing output fails. Which blocks carry the
/// marker, and why the others do not, is DocsShellBlockTests' (unit) business.
/// </summary>
[Trait("Category", "Process")]
public sealed class DocsShellBlockRunTests
{
    public static TheoryData<string> PagesWithRunBlocks()
    {
        var data = new TheoryData<string>();
        foreach (var page in RunBlocks().Select(b => b.Page).Distinct(StringComparer.Ordinal))
        {
            data.Add(page);
        }

        return data;
    }

    [Fact]
    public void Some_pages_have_blocks_to_run()
    {
        Assert.True(RunBlocks().Count >= 3, "fewer than 3 run-by-test shell blocks: the extractor lost them");
    }

    [Theory]
    [MemberData(nameof(PagesWithRunBlocks))]
    public async Task A_pages_run_by_test_shell_blocks_run_as_written(string page)
    {
        var blocks = RunBlocks().Where(b => b.Page == page).ToList();
        var script = new StringBuilder("set -e\n");
        var expected = new List<string>();
        foreach (var (_, line, code) in blocks)
        {
            script.Append(CultureInfo.InvariantCulture, $"# {page}:{line}\n");
            foreach (var text in code)
            {
                if (text.StartsWith("#> ", StringComparison.Ordinal))
                {
                    expected.Add(text[3..]);
                }
                else
                {
                    script.Append(text).Append('\n');
                }
            }
        }

        var folder = Directory.CreateTempSubdirectory("dspex-doc-shell-");
        try
        {
            var (exit, stdout, stderr) = await RunShellAsync(script.ToString(), folder.FullName);
            Assert.True(exit == 0, $"{page}'s run-by-test blocks exited {exit}:\n{script}\nstdout:\n{stdout}\nstderr:\n{stderr}");
            var lines = stdout.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
            var at = 0;
            foreach (var want in expected)
            {
                var found = lines.FindIndex(at, l => l == want);
                Assert.True(found >= 0, $"{page}: the docs say the commands print\n  {want}\nbut after line {at} of their output it is not there:\n{stdout}\nstderr:\n{stderr}");
                at = found + 1;
            }
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static async Task<(int Exit, string Stdout, string Stderr)> RunShellAsync(string script, string folder)
    {
        var start = new ProcessStartInfo("sh") { WorkingDirectory = folder };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        start.Environment["PYTHONPATH"] = Path.Combine(Repository.Root, "grains", "Python");
        start.Environment["PYTHONDONTWRITEBYTECODE"] = "1";
        // The docs write `python`, as a reader in a virtual environment has it; a Debian machine has only python3.
        var shims = Directory.CreateTempSubdirectory("dspex-doc-shims-");
        File.CreateSymbolicLink(Path.Combine(shims.FullName, "python"), Python3());
        start.Environment["PATH"] = shims.FullName + Path.PathSeparator + Environment.GetEnvironmentVariable("PATH");

        try
        {
            return await ProcessRun.RunAsync(start, TestBounds.Exit);
        }
        finally
        {
            shims.Delete(recursive: true);
        }
    }

    private static string Python3() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(directory => Path.Combine(directory, "python3"))
            .FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException("python3 is not on PATH");

    /// <summary>The ```sh run-by-test blocks of README.md and docs/**/*.md: page (relative), fence line, code lines.</summary>
    private static IReadOnlyList<(string Page, int Line, IReadOnlyList<string> Code)> RunBlocks() =>
        [.. DocBlocks.All().Where(b => b.Language == "sh" && b.Markers.Contains("run-by-test")).Select(b => (b.Page, b.Line, b.CodeLines))];
}

using System.Diagnostics;

namespace DSPex.Orleans.Tests.Infrastructure;

/// <summary>
/// The previous release's silo, built from its commit (named in tests/DSPex.Orleans.Tests/Upgrade/previous-release)
/// in a git worktree of this repository under artifacts/, so a clean clone builds it offline from the NuGet cache and
/// CI's leaked-worker check (bridges under the checkout) covers its workers too. Disposing removes the worktree; the
/// builds run without MSBuild or compiler servers, so nothing of them outlives the build.
/// </summary>
public sealed class PreviousRelease : IAsyncDisposable
{
    private static readonly TimeSpan BuildBound = TimeSpan.FromMinutes(20);

    private PreviousRelease(string commit, string directory, TimeSpan buildTime)
    {
        Commit = commit;
        Directory = directory;
        BuildTime = buildTime;
    }

    public string Commit { get; }

    /// <summary>The worktree: the previous release's sources and its build output.</summary>
    public string Directory { get; }

    public TimeSpan BuildTime { get; }

    /// <summary>Its dspex-silo.dll, for <see cref="RealSiloProcess.Start"/>.</summary>
    public string SiloAssembly => Path.Combine(Directory, "silo", "bin", "Release", "net10.0", "dspex-silo.dll");

    /// <summary>Its own test adapter, so its workers load the adapter of their release.</summary>
    public string TestAdapterPath => Path.Combine(Directory, "tests", "DSPex.Orleans.Tests", "python");

    /// <summary>This repository's root: tests/DSPex.Orleans.Tests/bin/&lt;configuration&gt;/&lt;tfm&gt;/ up five.</summary>
    public static string RepositoryRoot => new DirectoryInfo(AppContext.BaseDirectory).Parent!.Parent!.Parent!.Parent!.Parent!.FullName;

    public static string NamedCommit()
    {
        var file = Path.Combine(RepositoryRoot, "tests", "DSPex.Orleans.Tests", "Upgrade", "previous-release");
        return File.ReadAllLines(file).Select(l => l.Trim()).Single(l => l.Length > 0 && !l.StartsWith('#'));
    }

    public static async Task<PreviousRelease> BuildAsync()
    {
        var commit = NamedCommit();
        var directory = Path.Combine(RepositoryRoot, "artifacts", "previous-release", $"{commit[..12]}-{Guid.NewGuid():N}");
        await GitAsync("worktree", "prune");
        await GitAsync("worktree", "add", "--detach", directory, commit);
        var clock = Stopwatch.StartNew();
        try
        {
            var (exitCode, stdout, stderr) = await DotnetProcess.RunAsync(directory, BuildBound,
                "build", Path.Combine("silo", "DSPex.Orleans.Silo.csproj"), "-c", "Release", "-nodeReuse:false", "-p:UseSharedCompilation=false",
                // The worktree sits under this checkout, so this build's root .editorconfig (root = true) applies to
                // the older sources too (a06a362 has none of its own): a rule raised here since must not fail them.
                "-p:TreatWarningsAsErrors=false");
            Assert.True(exitCode == 0, $"the previous release ({commit}) did not build:\n{Tail(stdout)}\n{Tail(stderr)}");
        }
        catch
        {
            await RemoveAsync(directory);
            throw;
        }

        return new PreviousRelease(commit, directory, clock.Elapsed);
    }

    public async ValueTask DisposeAsync() => await RemoveAsync(Directory);

    private static async Task RemoveAsync(string directory)
    {
        await GitAsync("worktree", "remove", "--force", directory);
        if (System.IO.Directory.Exists(directory))
        {
            System.IO.Directory.Delete(directory, recursive: true);
        }

        await GitAsync("worktree", "prune");
    }

    private static async Task GitAsync(params string[] arguments)
    {
        var (exitCode, stdout, stderr) = await ProcessRun.RunAsync("git", arguments, TestBounds.Exit, RepositoryRoot);
        Assert.True(exitCode == 0, $"git {string.Join(' ', arguments)} failed ({exitCode}): {stdout}{stderr}");
    }

    private static string Tail(string text) => text.Length > 4000 ? text[^4000..] : text;
}

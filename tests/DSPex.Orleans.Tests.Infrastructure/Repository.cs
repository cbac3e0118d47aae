namespace DSPex.Orleans.Tests.Infrastructure;

/// <summary>The checkout the tests run from, found from the test binaries (bin/&lt;configuration&gt;/&lt;tfm&gt; of any test project).</summary>
public static class Repository
{
    /// <summary>The folder holding DSPex.Orleans.sln: tests read the checkout's files, not copies in their output.</summary>
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "DSPex.Orleans.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No DSPex.Orleans.sln above {AppContext.BaseDirectory}");
    }
}

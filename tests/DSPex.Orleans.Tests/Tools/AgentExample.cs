namespace DSPex.Orleans.Tests.Tools;

/// <summary>Where the agent example lives in the repository: its Python adapter and its client executable.</summary>
public static class AgentExample
{
    private static DirectoryInfo Repository
    {
        get
        {
            // tests/DSPex.Orleans.Tests/bin/<configuration>/<tfm>/ -> the repository root
            var tfm = new DirectoryInfo(AppContext.BaseDirectory);
            return tfm.Parent!.Parent!.Parent!.Parent!.Parent!;
        }
    }

    public static string AdapterPath => Path.Combine(Repository.FullName, "examples", "agent");

    /// <summary>examples/ToolsAgent/bin/&lt;configuration&gt;/&lt;tfm&gt;/dspex-tools-agent.dll, built beside the tests.</summary>
    public static string ClientAssembly
    {
        get
        {
            var tfm = new DirectoryInfo(AppContext.BaseDirectory);
            return Path.Combine(Repository.FullName, "examples", "ToolsAgent", "bin", tfm.Parent!.Name, tfm.Name, "dspex-tools-agent.dll");
        }
    }

    /// <summary>Pool settings that load the example's adapter beside the test adapter.</summary>
    public static Dictionary<string, string> PoolSettings() => new()
    {
        ["AdapterModules:2"] = "agent_example",
        ["AdapterPaths:1"] = AdapterPath,
    };
}

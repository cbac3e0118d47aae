using System.Diagnostics;
using DSPex.Orleans.Client;
using DSPex.Orleans.Configuration;
using DSPex.Orleans.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace DSPex.Orleans.Tests.NamedPools;

/// <summary>
/// Two silos, each with the default pool (the system python3, the test adapter) and the pools:
/// "alt" (a virtual environment made for the test, its own adapter), "gpu" (only on the silo labelled gpu, the
/// secondary) and "broken" (an interpreter that does not exist). A command in both the default and alt pools
/// ("which_pool") answers with the pool's environment.
/// </summary>
public sealed class NamedPoolsFixture : IAsyncLifetime
{
    private const string SharedAdapter = """
        import os
        from dspex import command

        @command("which_pool")
        def which_pool(args):
            return os.environ.get("POOL_NAME", "")
        """;

    private const string AltAdapter = """
        import sys
        from dspex import command

        @command("alt_where")
        def alt_where(args):
            return {"prefix": sys.prefix, "executable": sys.executable}

        @command("alt_count")
        def alt_count(args):
            for i in range(int(args["n"])):
                yield i
        """;

    private const string GpuAdapter = """
        import os
        from dspex import command

        @command("gpu_info")
        def gpu_info(args):
            return {"pid": os.getpid()}
        """;

    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("dspex-pools-test-").FullName;

    public string VirtualEnvironment => Path.Combine(Directory, "venv");

    public TestCluster Cluster { get; private set; } = null!;

    public DSPexClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var adapters = Path.Combine(Directory, "adapters");
        System.IO.Directory.CreateDirectory(adapters);
        await File.WriteAllTextAsync(Path.Combine(adapters, "pools_shared_adapter.py"), SharedAdapter);
        await File.WriteAllTextAsync(Path.Combine(adapters, "pools_alt_adapter.py"), AltAdapter);
        await File.WriteAllTextAsync(Path.Combine(adapters, "pools_gpu_adapter.py"), GpuAdapter);
        await HostTools.RunAsync("python3", "-m", "venv", "--without-pip", VirtualEnvironment);

        var settings = new Dictionary<string, string>
        {
            ["DSPex:Pools:alt:Size"] = "1",
            ["DSPex:Pools:alt:PythonExecutable"] = Path.Combine(VirtualEnvironment, "bin", "python"),
            ["DSPex:Pools:alt:AdapterModules:0"] = "pools_alt_adapter",
            ["DSPex:Pools:alt:AdapterModules:1"] = "pools_shared_adapter",
            ["DSPex:Pools:alt:AdapterPaths:0"] = adapters,
            ["DSPex:Pools:alt:Environment:POOL_NAME"] = "alt",
            ["DSPex:Pools:alt:StopGracePeriod"] = "00:00:02",
            ["DSPex:Pools:gpu:Size"] = "1",
            ["DSPex:Pools:gpu:SiloLabel"] = "gpu",
            ["DSPex:Pools:gpu:AdapterModules:0"] = "pools_gpu_adapter",
            ["DSPex:Pools:gpu:AdapterPaths:0"] = adapters,
            ["DSPex:Pools:gpu:StopGracePeriod"] = "00:00:02",
            ["DSPex:Pools:broken:Size"] = "1",
            ["DSPex:Pools:broken:PythonExecutable"] = Path.Combine(Directory, "no-such-python"),
        };
        var pool = new Dictionary<string, string>
        {
            ["AdapterModules:2"] = "pools_shared_adapter",
            ["AdapterPaths:1"] = adapters,
            ["Environment:POOL_NAME"] = "default",
        };
        Cluster = await TestClusters.StartAsync(2, pool: pool, settings: settings,
            configure: builder => builder.AddSiloBuilderConfigurator<GpuLabelOnSecondarySilos>());
        Client = new DSPexClient(Cluster.Client);
    }

    public async Task DisposeAsync()
    {
        await Cluster.StopAndDisposeAsync();
        System.IO.Directory.Delete(Directory, recursive: true);
    }

    /// <summary>Every silo but the primary carries the label "gpu", as a node pool's deployment would set DSPex:Labels.</summary>
    public sealed class GpuLabelOnSecondarySilos : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            if (siloBuilder.Configuration["Orleans:Name"] is { } name && name != "Primary")
            {
                siloBuilder.Services.Configure<SiloLabelOptions>(labels => labels.Labels.Add("gpu"));
            }
        }
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class NamedPoolsCollection : ICollectionFixture<NamedPoolsFixture>
{
    public const string Name = "named pools";
}

using DSPex.Orleans.Tests.Infrastructure;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.TestingHost;

namespace DSPex.Orleans.Tests.ProcessSafety;

/// <summary>
/// In-process clusters for the reaper tests: their own cluster id and registry folder (so no other run's files or
/// processes are in scope), and a sweep reminder short enough to observe.
/// </summary>
public static class ReaperTestClusters
{
    public static async Task<TestCluster> StartAsync(short silos, string stateDirectory, TimeSpan sweepPeriod, IReadOnlyDictionary<string, string>? settings = null)
    {
        var builder = new TestClusterBuilder(silos);
        builder.Options.ClusterId = $"reaper-{Guid.NewGuid():N}";
        builder.Properties["DSPex:Pool:Size"] = "2";
        builder.Properties["DSPex:Pool:AdapterModules:0"] = "dspex_test_adapter";
        builder.Properties["DSPex:Pool:AdapterPaths:0"] = TestClusters.TestAdapterPath;
        builder.Properties["DSPex:Pool:StopGracePeriod"] = "00:00:02";
        builder.Properties["DSPex:ProcessSafety:StateDirectory"] = stateDirectory;
        builder.Properties["DSPex:ProcessSafety:SweepPeriod"] = sweepPeriod.ToString();
        builder.Properties["DSPex:ProcessSafety:KillGracePeriod"] = "00:00:02";
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            builder.Properties[key] = value;
        }

        builder.AddSiloBuilderConfigurator<PoolTestSiloConfigurator>();
        builder.AddSiloBuilderConfigurator<ShortReminderSiloConfigurator>();
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }

    /// <summary>Orleans rejects reminder periods under a minute by default; the tests need seconds.</summary>
    public sealed class ShortReminderSiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder) =>
            siloBuilder.Configure<ReminderOptions>(o => o.MinimumReminderPeriod = TimeSpan.FromSeconds(1));
    }
}

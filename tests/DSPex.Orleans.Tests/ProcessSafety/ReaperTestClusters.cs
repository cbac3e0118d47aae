using DSPex.Orleans.Tests.Infrastructure;
using Orleans.TestingHost;

namespace DSPex.Orleans.Tests.ProcessSafety;

/// <summary>
/// The reaper tests' cluster settings over <see cref="TestClusters"/>: their own cluster id and registry folder (so no
/// other run's files or processes are in scope), and a sweep reminder short enough to observe.
/// </summary>
public static class ReaperTestClusters
{
    public static Task<TestCluster> StartAsync(short silos, string stateDirectory, TimeSpan sweepPeriod, IReadOnlyDictionary<string, string>? settings = null)
    {
        var reaper = new Dictionary<string, string>
        {
            ["DSPex:ProcessSafety:StateDirectory"] = stateDirectory,
            ["DSPex:ProcessSafety:SweepPeriod"] = sweepPeriod.ToString(),
            ["DSPex:ProcessSafety:KillGracePeriod"] = "00:00:02",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            reaper[key] = value;
        }

        return TestClusters.StartAsync(silos, settings: reaper, configure: builder =>
        {
            builder.Options.ClusterId = $"reaper-{Guid.NewGuid():N}";
            builder.AddSiloBuilderConfigurator<ShortReminderSiloConfigurator>();
        });
    }
}

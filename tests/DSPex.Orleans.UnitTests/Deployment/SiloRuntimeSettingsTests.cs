using System.Xml.Linq;
using DSPex.Orleans.Tests.Infrastructure;

namespace DSPex.Orleans.UnitTests.Deployment;

/// <summary>
/// The runtime settings the silo executable ships with (its project file writes them into dspex-silo.runtimeconfig.json),
/// each chosen by an A/B in one benchmark run: the server GC (against the workstation GC it saved 39 MB of RSS and
/// cost 0.93x the calls/s and 1.18x the silo CPU per call: docs/benchmarks/ab/silo-memory.md) and thread-pool threads
/// that block at once instead of spinning (docs/benchmarks/ab/silo-spin-limit-2.md). Changing either is a measured
/// decision, not an edit in passing.
/// </summary>
[Trait("Category", "Unit")]
public sealed class SiloRuntimeSettingsTests
{
    private static readonly XDocument Project = XDocument.Load(Path.Combine(Repository.Root, "silo", "DSPex.Orleans.Silo.csproj"));

    [Fact]
    public void The_silo_runs_the_server_garbage_collector()
    {
        Assert.Equal("true", Property("ServerGarbageCollection"));
        // Nothing else in the project turns it or its background collections off.
        Assert.Null(Property("ConcurrentGarbageCollection"));
        Assert.DoesNotContain(RuntimeOptions(), o => o.Name.StartsWith("System.GC.", StringComparison.Ordinal));
    }

    [Fact]
    public void Idle_thread_pool_threads_do_not_spin()
    {
        Assert.Contains(("System.Threading.ThreadPool.UnfairSemaphoreSpinLimit", "0"), RuntimeOptions().Select(o => (o.Name, o.Value)));
    }

    private static string? Property(string name) =>
        Project.Descendants(name).SingleOrDefault()?.Value.Trim();

    private static IEnumerable<(string Name, string? Value)> RuntimeOptions() =>
        Project.Descendants("RuntimeHostConfigurationOption")
            .Select(o => ((string?)o.Attribute("Include") ?? "", (string?)o.Attribute("Value")));
}

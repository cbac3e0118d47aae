using DSPex.Orleans.Workers.Python;
using DSPex.Orleans.Workers.Processes;

namespace DSPex.Orleans.UnitTests.Processes;

[Trait("Category", "Unit")]
public sealed class StartInfoAndMemoryTests
{
    private static PythonProcessStartInfo Info(IReadOnlyList<string> inherited, IReadOnlyDictionary<string, string> environment) => new(
        "w0", "/usr/bin/python3", "/opt/bridge", new ProcessMarker("cluster", "silo", "w0", "token"), ["adapters.a"], ["/opt/adapters"],
        environment, inherited, 1024, 1, TimeSpan.FromSeconds(5));

    [Fact]
    public void A_worker_gets_an_explicit_environment_not_the_silo_s()
    {
        var secret = $"DSPEX_UNIT_SECRET_{Guid.NewGuid():N}";
        var passed = $"DSPEX_UNIT_PASSED_{Guid.NewGuid():N}";
        Environment.SetEnvironmentVariable(secret, "silo only");
        Environment.SetEnvironmentVariable(passed, "for the worker");
        try
        {
            var start = Info([passed], new Dictionary<string, string> { ["PYTHONPATH"] = "/extra", ["MODE"] = "x" }).ToProcessStartInfo();

            Assert.False(start.Environment.ContainsKey(secret));
            Assert.Equal("for the worker", start.Environment[passed]);
            Assert.Equal("x", start.Environment["MODE"]);
            Assert.Equal("1", start.Environment["OMP_NUM_THREADS"]);
            Assert.Equal(string.Join(Path.PathSeparator, "/opt/adapters", "/opt/bridge", "/extra"), start.Environment["PYTHONPATH"]);
            Assert.Equal(new ProcessMarker("cluster", "silo", "w0", "token").ToString(), start.Environment[ProcessMarker.EnvironmentVariable]);
            Assert.Contains("--adapter", start.ArgumentList);
            Assert.Equal(Path.Combine("/opt/bridge", PythonProcessStartInfo.BridgeScriptName), start.ArgumentList[0]);
        }
        finally
        {
            Environment.SetEnvironmentVariable(secret, null);
            Environment.SetEnvironmentVariable(passed, null);
        }
    }

    [Fact]
    public void Resident_memory_is_the_second_statm_field_in_pages_and_zero_for_anything_else()
    {
        Assert.Equal(25L * Environment.SystemPageSize, ResidentMemory.Parse("100 25 3 1 0 20 0\n"));
        Assert.Equal(0, ResidentMemory.Parse(""));
        Assert.Equal(0, ResidentMemory.Parse("100 x"));
    }
}

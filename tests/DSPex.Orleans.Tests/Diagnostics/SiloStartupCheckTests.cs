using DSPex.Orleans.Tests.Infrastructure;

namespace DSPex.Orleans.Tests.Diagnostics;

/// <summary>
/// The silo's start-up runs the checks `dspex doctor` runs: an adapter that does not import stops a real silo process
/// (exit code 2) with the adapters check's own message, the same line doctor prints; so does a named pool name it cannot run.
/// </summary>
[Trait("Category", "Process")]
[Collection(TestSuite.SideBySide.SiloStartupCheck)]
public sealed class SiloStartupCheckTests
{
    [Fact]
    public async Task An_adapter_that_does_not_import_stops_the_silo_with_the_doctors_message()
    {
        using var state = new TemporaryDirectory();
        await using var silo = RealSiloProcess.Start(RealSiloSettings.Fresh(state.Path) with
        {
            Extra = new Dictionary<string, string> { ["DSPex:Pool:AdapterModules:2"] = "no_such_adapter_module_for_doctor" },
        });

        var exitCode = await silo.ExitAsync();

        Assert.True(exitCode == 2, $"exit code {exitCode}:\n{silo.Output}");
        Assert.Contains("configuration error: DSPex:Pool:AdapterModules: an adapter module does not import (no_such_adapter_module_for_doctor: ModuleNotFoundError", silo.Output);
    }

    [Fact]
    public async Task An_adapter_module_that_registers_nothing_stops_the_silo_naming_it()
    {
        using var state = new TemporaryDirectory();
        // A folder named like the module, with the adapter inside it: from its parent it imports as an empty namespace package.
        var adapters = Path.Combine(state.Path, "adapters");
        Directory.CreateDirectory(Path.Combine(adapters, "startup_folder_adapter"));
        File.WriteAllText(Path.Combine(adapters, "startup_folder_adapter", "startup_folder_adapter.py"), "import dspex\n@dspex.command('x')\ndef x(args): return 1\n");
        await using var silo = RealSiloProcess.Start(RealSiloSettings.Fresh(state.Path) with
        {
            Extra = new Dictionary<string, string>
            {
                ["DSPex:Pool:AdapterModules:2"] = "startup_folder_adapter",
                ["DSPex:Pool:AdapterPaths:1"] = adapters,
            },
        });

        var exitCode = await silo.ExitAsync();

        Assert.True(exitCode == 2, $"exit code {exitCode}:\n{silo.Output}");
        Assert.Contains("configuration error: DSPex:Pool:AdapterModules: 1 adapter module(s) register no command or program type (startup_folder_adapter)", silo.Output);
    }

    [Theory]
    [InlineData("DSPex:Pools:GPU:Size", "1", "DSPex:Pools:GPU: the pool name has the character U+0047 at index 0")]
    [InlineData("DSPex:Pools:default:Size", "1", "DSPex:Pools:default: the default pool is configured with DSPex:Pool, not as a named pool")]
    [InlineData("DSPex:Labels", "gpu", "DSPex:Labels: is the single value 'gpu', which a silo reads as no labels")]
    public async Task A_named_pool_the_silo_cannot_run_or_labels_it_cannot_read_stop_it_with_one_line(string key, string value, string message)
    {
        using var state = new TemporaryDirectory();
        await using var silo = RealSiloProcess.Start(RealSiloSettings.Fresh(state.Path) with
        {
            Extra = new Dictionary<string, string> { [key] = value },
        });

        var exitCode = await silo.ExitAsync();

        Assert.True(exitCode == 2, $"exit code {exitCode}:\n{silo.Output}");
        Assert.Contains($"configuration error: {message}", silo.Output);
        Assert.DoesNotMatch(Robustness.CliErrorTests.StackFrame, silo.Output);
    }
}

using DSPex.Orleans.Diagnostics;
using Microsoft.Extensions.Configuration;

namespace DSPex.Orleans.UnitTests.Diagnostics;

/// <summary>
/// `dspex doctor` with named pools (DSPex:Pools:NAME), from configuration as a silo reads it: each named pool gets the
/// silo's validator under its own name and its own pool checks when a silo here would run it; a pool whose SiloLabel
/// this machine lacks is skipped with a note (not failed); a pool name the silo refuses at start fails. Only the
/// checks that start no process are run here (the Python ones: Diagnostics/NamedPoolDoctorTests).
/// </summary>
[Trait("Category", "Unit")]
public sealed class NamedPoolChecksTests
{
    [Fact]
    public void Every_named_pool_a_silo_here_runs_gets_its_settings_and_pool_checks_and_one_labelled_elsewhere_is_skipped()
    {
        var checks = Names(Machine(new()
        {
            ["DSPex:Pools:small:Size"] = "1",
            ["DSPex:Pools:gpu:SiloLabel"] = "gpu",
            ["DSPex:Pools:gpu:PythonExecutable"] = "/opt/venvs/gpu/bin/python",
        }));

        foreach (var name in new[] { "settings DSPex:Pool", "settings DSPex:Pools:small", "settings DSPex:Pools:gpu", "pools",
                     "pool default: python", "pool small: python", "pool small: adapters", "pool small: duplicate commands", "pool small: thread limits",
                     "pool gpu", "pools: shared commands" })
        {
            Assert.Contains(name, checks);
        }

        Assert.DoesNotContain(checks, c => c.StartsWith("pool gpu: ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_pool_whose_label_this_machine_lacks_is_a_note_and_one_whose_label_it_carries_runs_here()
    {
        var settings = new Dictionary<string, string?> { ["DSPex:Pools:gpu:SiloLabel"] = "gpu", ["DSPex:Pools:small:Size"] = "1" };

        var without = Machine(settings);
        var pools = await RunAsync(without, "pools");
        var skipped = await RunAsync(without, "pool gpu");

        Assert.Equal(CheckStatus.Pass, pools.Status);
        Assert.Equal("a silo here runs 2 pool(s): default, small; not gpu (their SiloLabel is not in DSPex:Labels: (none))", pools.Summary);
        Assert.Contains("gpu: not here: silos labelled gpu run it (this machine's DSPex:Labels: (none))", pools.Details);
        Assert.Equal(CheckStatus.Skip, skipped.Status);
        Assert.Contains("SiloLabel gpu is not in DSPex:Labels", skipped.Summary, StringComparison.Ordinal);

        var with = Machine(new(settings) { ["DSPex:Labels:0"] = "fast-disk", ["DSPex:Labels:1"] = "gpu" });
        var labelled = await RunAsync(with, "pools");

        Assert.Equal("a silo here runs 3 pool(s): default, gpu, small", labelled.Summary);
        Assert.Contains("gpu: here (SiloLabel gpu is in DSPex:Labels)", labelled.Details);
        Assert.Contains("pool gpu: python", Names(with));
        Assert.DoesNotContain("pool gpu", Names(with));
    }

    [Fact]
    public async Task A_named_pools_settings_go_through_the_validator_under_its_own_name()
    {
        var checks = Machine(new() { ["DSPex:Pools:small:Size"] = "0", ["DSPex:Pools:small:SiloLabel"] = "Not A Label" });

        var result = await RunAsync(checks, "settings DSPex:Pools:small");

        Assert.Equal((CheckStatus.Fail, "DSPex:Pools:small"), (result.Status, result.Setting));
        Assert.Contains("DSPex:Pools:small:Size must be positive (is 0).", result.Summary, StringComparison.Ordinal);
        Assert.Contains("DSPex:Pools:small:SiloLabel must be 1-32 of a-z", result.Summary, StringComparison.Ordinal);
        Assert.Equal(CheckStatus.Pass, (await RunAsync(checks, "settings DSPex:Pool")).Status);
    }

    [Theory]
    [InlineData("default", "the default pool is configured with DSPex:Pool, not as a named pool")]
    [InlineData("GPU", "the pool name has the character U+0047 at index 0")]
    public async Task A_pool_name_the_silo_refuses_fails_the_pools_check_and_gets_no_checks_of_its_own(string name, string reason)
    {
        var checks = Machine(new() { [$"DSPex:Pools:{name}:Size"] = "1" });

        var result = await RunAsync(checks, "pools");

        Assert.Equal((CheckStatus.Fail, $"DSPex:Pools:{name}"), (result.Status, result.Setting));
        Assert.Contains($"pool '{name}': {reason}", result.Summary, StringComparison.Ordinal);
        // Neither a second set of checks for the name nor its settings through the validator: a silo never uses them.
        Assert.Single(Names(checks), c => c == $"pool {name}: python" || c == "pool default: python");
        Assert.Single(Names(checks), c => c.StartsWith("settings DSPex:Pool", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Labels_given_as_one_value_fail_saying_how_to_give_a_list()
    {
        var checks = Machine(new() { ["DSPex:Labels"] = "gpu", ["DSPex:Pools:gpu:SiloLabel"] = "gpu" });

        var result = await RunAsync(checks, "pools");

        Assert.Equal((CheckStatus.Fail, "DSPex:Labels"), (result.Status, result.Setting));
        Assert.Contains("the single value 'gpu', which a silo reads as no labels; give a list by index: DSPex:Labels:0=gpu", result.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_named_pools_missing_interpreter_names_its_own_setting()
    {
        var checks = Machine(new() { ["DSPex:Pools:small:PythonExecutable"] = "/nonexistent/python3.99" });

        var result = await RunAsync(checks, "pool small: python");

        Assert.Equal((CheckStatus.Fail, "DSPex:Pools:small:PythonExecutable"), (result.Status, result.Setting));
        Assert.Contains("/nonexistent/python3.99", result.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void A_machine_with_the_default_pool_only_has_no_shared_commands_check()
    {
        var checks = Names(Machine([]));

        Assert.Contains("pools", checks);
        Assert.DoesNotContain("pools: shared commands", checks);
    }

    private static IReadOnlyList<IDiagnosticCheck> Machine(Dictionary<string, string?> settings) =>
        DiagnosticChecks.ForMachine(new ConfigurationBuilder().AddInMemoryCollection(settings).Build(), TimeSpan.FromSeconds(30));

    private static List<string> Names(IReadOnlyList<IDiagnosticCheck> checks) => [.. checks.Select(c => c.Name)];

    private static Task<CheckResult> RunAsync(IReadOnlyList<IDiagnosticCheck> checks, string name) =>
        Assert.Single(checks, c => c.Name == name).RunAsync(CancellationToken.None);
}

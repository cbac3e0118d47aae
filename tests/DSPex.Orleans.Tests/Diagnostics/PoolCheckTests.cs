using DSPex.Orleans.Configuration;
using DSPex.Orleans.Diagnostics;

namespace DSPex.Orleans.Tests.Diagnostics;

/// <summary>
/// A pool's checks with real Python processes (the bridge's --list-commands mode): a missing interpreter, an adapter
/// that does not import, a command name registered twice, a thread count raised in the pool's environment, and a
/// good adapter whose commands are listed.
/// </summary>
[Trait("Category", "Process")]
public sealed class PoolCheckTests : IDisposable
{
    private readonly string _adapters = Directory.CreateTempSubdirectory("dspex-doctor-adapters-").FullName;

    public void Dispose() => Directory.Delete(_adapters, recursive: true);

    [Fact]
    public async Task A_missing_python_fails_every_pool_check_that_needs_it_naming_the_setting()
    {
        var pool = new DSPexPoolOptions { PythonExecutable = "/nonexistent/python3.99" };

        var results = await RunAsync(pool);

        Assert.Equal((CheckStatus.Fail, PythonCheck.Setting), (results["python"].Status, results["python"].Setting));
        Assert.Contains("/nonexistent/python3.99", results["python"].Summary, StringComparison.Ordinal);
        Assert.Equal(CheckStatus.Fail, results["adapters"].Status);
        Assert.Equal(CheckStatus.Skip, results["duplicate commands"].Status);
    }

    [Fact]
    public async Task An_adapter_that_does_not_import_fails_naming_the_module_and_its_exception()
    {
        Write("doctor_broken", "import dspex\nraise RuntimeError('model file missing')\n");

        var results = await RunAsync(Pool("doctor_broken"));

        var adapters = results["adapters"];
        Assert.Equal((CheckStatus.Fail, AdaptersCheck.Setting), (adapters.Status, adapters.Setting));
        Assert.Contains("doctor_broken: RuntimeError: model file missing", adapters.Summary, StringComparison.Ordinal);
        Assert.Contains(adapters.Details, d => d.Contains("RuntimeError", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_module_that_registers_nothing_warns_in_doctor_naming_it_and_fails_the_silos_start_check()
    {
        // The scaffold trap: run from above a folder named like its adapter, the folder imports as an empty namespace package.
        Directory.CreateDirectory(Path.Combine(_adapters, "doctor_folder"));
        File.WriteAllText(Path.Combine(_adapters, "doctor_folder", "doctor_folder.py"), "import dspex\n@dspex.command('folder.cmd')\ndef cmd(args): return 1\n");
        Write("doctor_helpers", "def helper():\n    return 1\n");
        Write("doctor_fine", "import dspex\n@dspex.command('fine')\ndef fine(args): return 1\n");
        var pool = Pool("doctor_fine", "doctor_folder", "doctor_helpers");

        var results = await RunAsync(pool);

        var adapters = results["adapters"];
        Assert.Equal((CheckStatus.Warn, AdaptersCheck.Setting), (adapters.Status, adapters.Setting));
        Assert.Contains("2 adapter module(s) register no command or program type (doctor_folder, doctor_helpers)", adapters.Summary, StringComparison.Ordinal);
        Assert.Contains(adapters.Details, d => d.Contains("empty namespace package", StringComparison.Ordinal)
            && d.Contains(Path.Combine(_adapters, "doctor_folder", "doctor_folder.py"), StringComparison.Ordinal));
        Assert.Contains(adapters.Details, d => d.StartsWith("adapter module 'doctor_helpers'", StringComparison.Ordinal));

        var atStart = await new AdaptersCheck("default", new BridgeListing(pool, TimeSpan.FromSeconds(60)), pool.AdapterPaths, registersNothingFails: true)
            .RunAsync(CancellationToken.None);
        Assert.Equal(CheckStatus.Fail, atStart.Status);
        Assert.StartsWith($"{AdaptersCheck.Setting}: 2 adapter module(s) register no command", atStart.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_command_registered_twice_warns_naming_both_definitions()
    {
        Write("doctor_one", "import dspex\n@dspex.command('classify')\ndef first(args): return 1\n");
        Write("doctor_two", "import dspex\n@dspex.command('classify')\ndef second(args): return 2\n@dspex.command('ping')\ndef my_ping(args): return 'mine'\n");

        var results = await RunAsync(Pool("doctor_one", "doctor_two"));

        Assert.Equal(CheckStatus.Pass, results["adapters"].Status);
        var duplicates = results["duplicate commands"];
        Assert.Equal(CheckStatus.Warn, duplicates.Status);
        Assert.Contains(duplicates.Details, d => d.StartsWith("classify: doctor_one.first, then doctor_two.second", StringComparison.Ordinal));
        Assert.Contains(duplicates.Details, d => d.StartsWith("ping: dspex.builtins.ping, then doctor_two.my_ping", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_good_adapter_lists_its_commands_and_a_raised_thread_count_warns()
    {
        Write("doctor_good", "import dspex\n@dspex.command('summarize')\ndef summarize(args): return ''\n");
        var pool = Pool("doctor_good");
        pool.Environment["OMP_NUM_THREADS"] = "8";
        pool.Size = 4;

        var results = await RunAsync(pool);

        Assert.Equal(CheckStatus.Pass, results["python"].Status);
        Assert.Contains(results["adapters"].Details, d => d.StartsWith("commands: ", StringComparison.Ordinal) && d.Contains("summarize", StringComparison.Ordinal));
        Assert.Matches(@"^python 3\.\d+", results["adapters"].Summary);
        var threads = results["thread limits"];
        Assert.Equal(CheckStatus.Warn, threads.Status);
        Assert.Contains("OMP_NUM_THREADS=8 (with 4 workers: up to 32 threads)", threads.Summary, StringComparison.Ordinal);
        Assert.Contains("OPENBLAS_NUM_THREADS=1", threads.Details);
    }

    private DSPexPoolOptions Pool(params string[] modules) => new() { AdapterModules = [.. modules], AdapterPaths = [_adapters] };

    private void Write(string module, string source) => File.WriteAllText(Path.Combine(_adapters, module + ".py"), source);

    private static async Task<Dictionary<string, CheckResult>> RunAsync(DSPexPoolOptions pool)
    {
        var results = new Dictionary<string, CheckResult>();
        foreach (var check in DiagnosticChecks.ForPool("default", pool, TimeSpan.FromSeconds(60)))
        {
            var result = await check.RunAsync(CancellationToken.None);
            Assert.StartsWith("pool default: ", result.Check, StringComparison.Ordinal);
            results[result.Check["pool default: ".Length..]] = result;
        }

        return results;
    }
}

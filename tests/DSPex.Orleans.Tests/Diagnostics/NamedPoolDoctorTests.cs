using DSPex.Orleans.Diagnostics;
using DSPex.Orleans.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;

namespace DSPex.Orleans.Tests.Diagnostics;

/// <summary>
/// `dspex doctor`'s checks of a named pool with an interpreter of its own: a virtual environment made here
/// (python3 -m venv --without-pip). Its adapters are listed by that interpreter (an adapter that imports only inside a
/// virtual environment passes there), and a command both pools register is a warning naming both pools.
/// </summary>
[Trait("Category", "Process")]
public sealed class NamedPoolDoctorTests : IDisposable
{
    private readonly TemporaryDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task A_pool_with_its_own_virtual_environment_is_checked_with_that_interpreter()
    {
        var venv = await CreateVirtualEnvironmentAsync(Path.Combine(_folder.Path, "venv"));
        var adapters = Directory.CreateDirectory(Path.Combine(_folder.Path, "adapters")).FullName;
        File.WriteAllText(Path.Combine(adapters, "doctor_shared.py"), "import dspex\n@dspex.command('classify')\ndef classify(args): return 'x'\n");
        // Imports only in a virtual environment: the listing proves which interpreter ran it.
        File.WriteAllText(Path.Combine(adapters, "doctor_venv_only.py"),
            "import sys\nif sys.prefix == sys.base_prefix: raise ImportError('not in a virtual environment')\nimport dspex\n@dspex.command('venv_only')\ndef venv_only(args): return sys.prefix\n");
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["DSPex:Pool:AdapterModules:0"] = "doctor_shared",
            ["DSPex:Pool:AdapterPaths:0"] = adapters,
            ["DSPex:Pools:venv:PythonExecutable"] = venv,
            ["DSPex:Pools:venv:AdapterModules:0"] = "doctor_shared",
            ["DSPex:Pools:venv:AdapterModules:1"] = "doctor_venv_only",
            ["DSPex:Pools:venv:AdapterPaths:0"] = adapters,
            ["DSPex:Pools:venv:Size"] = "1",
        }).Build();
        var checks = DiagnosticChecks.ForMachine(configuration, TimeSpan.FromSeconds(60));

        var python = await RunAsync(checks, "pool venv: python");
        var venvAdapters = await RunAsync(checks, "pool venv: adapters");
        var defaultAdapters = await RunAsync(checks, "pool default: adapters");
        var shared = await RunAsync(checks, "pools: shared commands");

        Assert.Equal(CheckStatus.Pass, python.Status);
        Assert.StartsWith($"{venv} is {Path.GetDirectoryName(venv)}", python.Summary, StringComparison.Ordinal);
        Assert.True(venvAdapters.Status == CheckStatus.Pass, venvAdapters.Message);
        Assert.Contains(venvAdapters.Details, d => d.StartsWith("commands: ", StringComparison.Ordinal) && d.Contains("venv_only", StringComparison.Ordinal));
        Assert.Equal(CheckStatus.Pass, defaultAdapters.Status);
        Assert.DoesNotContain(defaultAdapters.Details, d => d.Contains("venv_only", StringComparison.Ordinal));
        Assert.Equal(CheckStatus.Warn, shared.Status);
        Assert.Equal(["classify: default, venv"], shared.Details);
    }

    private static Task<CheckResult> RunAsync(IReadOnlyList<IDiagnosticCheck> checks, string name) =>
        Assert.Single(checks, c => c.Name == name).RunAsync(CancellationToken.None);

    /// <summary>A virtual environment without pip (nothing downloaded); returns its interpreter.</summary>
    private static async Task<string> CreateVirtualEnvironmentAsync(string folder)
    {
        await HostTools.RunAsync("python3", "-m", "venv", "--without-pip", folder);
        return Path.Combine(folder, "bin", "python");
    }
}

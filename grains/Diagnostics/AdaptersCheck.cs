using System.Text.Json;

namespace DSPex.Orleans.Diagnostics;

/// <summary>
/// Every adapter module of the pool imports in a worker's environment, and which commands and program types the
/// workers will serve. An import failure names the module and its exception (the last traceback lines as details).
/// A module that imports but registers no command and no program type (a folder imported as an empty namespace
/// package, say) is a warning naming it for `dspex doctor`, and a failure where <paramref name="registersNothingFails"/>
/// (the silo's start-up: its workers refuse to start with such a module).
/// </summary>
internal sealed class AdaptersCheck(string pool, BridgeListing listing, IReadOnlyList<string> adapterPaths, bool registersNothingFails = false) : IDiagnosticCheck
{
    /// <summary>The setting of the default pool's adapters (a named pool's is DSPex:Pools:NAME:AdapterModules).</summary>
    public const string Setting = "DSPex:Pool:AdapterModules";

    private string PoolSetting => DiagnosticChecks.PoolSetting(pool, "AdapterModules");

    public string Name => $"pool {pool}: adapters";

    public async Task<CheckResult> RunAsync(CancellationToken cancellationToken)
    {
        var outcome = await listing.GetAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        if (outcome.Listing is not { } found)
        {
            return new CheckResult(Name, CheckStatus.Fail, outcome.Failure ?? "no listing", PoolSetting);
        }

        var commands = found.GetProperty("commands").EnumerateArray().Select(c => c.GetProperty("name").GetString()!).ToList();
        var programs = found.GetProperty("program_types").EnumerateArray().Select(p => p.GetString()!).ToList();
        var python = found.GetProperty("python").GetString();
        if (found.GetProperty("error") is { ValueKind: JsonValueKind.Object } error)
        {
            var traceback = error.GetProperty("traceback").GetString() ?? "";
            return new CheckResult(Name, CheckStatus.Fail,
                $"an adapter module does not import ({error.GetProperty("module").GetString()}: {error.GetProperty("type").GetString()}: {error.GetProperty("message").GetString()}). AdapterPaths: [{string.Join(", ", adapterPaths)}]",
                PoolSetting, [.. traceback.TrimEnd().Split('\n').TakeLast(6)]);
        }

        var adapters = found.GetProperty("adapters").EnumerateArray().Select(a => a.GetString()!).ToList();
        var empty = found.TryGetProperty("registers_nothing", out var nothing) && nothing.ValueKind == JsonValueKind.Array
            ? nothing.EnumerateArray().Select(e => (Module: e.GetProperty("module").GetString()!, Message: e.GetProperty("message").GetString() ?? "")).ToList()
            : [];
        if (empty.Count > 0)
        {
            return new CheckResult(Name, registersNothingFails ? CheckStatus.Fail : CheckStatus.Warn,
                $"{empty.Count} adapter module(s) register no command or program type ({string.Join(", ", empty.Select(e => e.Module))}): a worker does not start with one. AdapterPaths: [{string.Join(", ", adapterPaths)}]",
                PoolSetting, [.. empty.Select(e => e.Message)]);
        }

        return CheckResult.Pass(Name,
            $"python {python}; {adapters.Count} adapter module(s) import; {commands.Count} commands, {programs.Count} program types",
            [$"adapters: {(adapters.Count == 0 ? "(none: built-in commands only)" : string.Join(", ", adapters))}",
             $"commands: {string.Join(", ", commands)}",
             $"program types: {(programs.Count == 0 ? "(none)" : string.Join(", ", programs))}"]);
    }
}

using DSPex.Orleans.Processes;
using DSPex.Orleans.Workers.Bridge;

namespace DSPex.Orleans.Diagnostics;

/// <summary>
/// Commands that more than one pool of this machine registers (the bridge's built-in commands, which every pool has,
/// left out). Routing by command cannot choose between them, so a caller must name the pool (ExecuteOptions.Pool,
/// `dspex exec --pool`): a warning naming the command and its pools, not a failure (two pools may serve one adapter
/// on purpose, for example on CPU and on GPU).
/// </summary>
internal sealed class SharedCommandsCheck(IReadOnlyList<(string Pool, BridgeListing Listing)> pools) : IDiagnosticCheck
{
    public string Name => "pools: shared commands";

    public async Task<CheckResult> RunAsync(CancellationToken cancellationToken)
    {
        var registered = new List<(string Pool, string Command)>();
        var unlisted = new List<string>();
        foreach (var (pool, listing) in pools)
        {
            var outcome = await listing.GetAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
            if (outcome.Listing is not { } found)
            {
                unlisted.Add(pool);
                continue;
            }

            registered.AddRange(found.GetProperty("commands").EnumerateArray()
                .Select(c => c.GetProperty("name").GetString()!)
                .Where(c => !BridgeBuiltins.Commands.Contains(c))
                .Distinct(StringComparer.Ordinal)
                .Select(c => (pool, c)));
        }

        var shared = registered.GroupBy(r => r.Command, StringComparer.Ordinal).Where(g => g.Count() > 1)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => $"{g.Key}: {string.Join(", ", g.Select(r => r.Pool))}")
            .ToList();
        var note = unlisted.Count == 0 ? "" : $" (not listed: {string.Join(", ", unlisted)}; see their adapters checks)";
        return shared.Count == 0
            ? CheckResult.Pass(Name, $"no command is registered by two pools{note}")
            : new CheckResult(Name, CheckStatus.Warn, $"{shared.Count} command(s) registered by more than one pool: callers must name the pool to run them{note}", null, shared);
    }
}

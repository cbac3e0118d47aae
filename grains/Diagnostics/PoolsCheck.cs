using DSPex.Orleans.Configuration;
using DSPex.Orleans.Contracts;

namespace DSPex.Orleans.Diagnostics;

/// <summary>
/// Which pools a silo on this machine would run: the default pool always, and each named pool (DSPex:Pools:NAME)
/// whose SiloLabel, if it has one, is among DSPex:Labels, as <see cref="Pool.SiloPools"/> decides. A pool whose label
/// this machine lacks is noted, not failed (it runs on the silos that carry the label). A pool name the silo refuses
/// at start (not a pool name, or "default", which is DSPex:Pool) fails.
/// </summary>
internal sealed class PoolsCheck(IReadOnlyList<string> labels, IReadOnlyList<(string Name, string? SiloLabel)> named) : IDiagnosticCheck
{
    public const string LabelsSetting = "DSPex:Labels";

    public string Name => "pools";

    /// <summary>Whether a silo with these labels runs the named pool (its name assumed valid).</summary>
    public static bool RunsHere(string? siloLabel, IReadOnlyList<string> labels) =>
        siloLabel is null || labels.Contains(siloLabel, StringComparer.Ordinal);

    /// <summary>Why a silo refuses this pool name at start, or null when it is a usable named pool.</summary>
    public static string? Refusal(string name) =>
        name == PoolNames.Default
            ? "the default pool is configured with DSPex:Pool, not as a named pool"
            : PoolNames.Check(name, "the pool name")?.Message;

    public Task<CheckResult> RunAsync(CancellationToken cancellationToken)
    {
        var refused = named.Select(p => (p.Name, Why: Refusal(p.Name))).Where(p => p.Why is not null).ToList();
        var labelList = labels.Count == 0 ? "(none)" : string.Join(", ", labels);
        var details = new List<string> { $"{PoolNames.Default}: every silo (DSPex:Pool)" };
        details.AddRange(named.Select(p => Refusal(p.Name) is { } why
            ? $"{p.Name}: refused: {why}"
            : p.SiloLabel is null ? $"{p.Name}: every silo (no SiloLabel)"
            : RunsHere(p.SiloLabel, labels) ? $"{p.Name}: here (SiloLabel {p.SiloLabel} is in DSPex:Labels)"
            : $"{p.Name}: not here: silos labelled {p.SiloLabel} run it (this machine's DSPex:Labels: {labelList})"));
        if (refused.Count > 0)
        {
            var first = refused[0];
            return Task.FromResult(new CheckResult(Name, CheckStatus.Fail,
                $"a silo would not start: {string.Join("; ", refused.Select(p => $"pool '{p.Name}': {p.Why}"))}",
                $"{DSPexPoolOptions.NamedPoolsSectionName}:{first.Name}", details));
        }

        var here = named.Where(p => RunsHere(p.SiloLabel, labels)).Select(p => p.Name).Prepend(PoolNames.Default).ToList();
        var elsewhere = named.Where(p => !RunsHere(p.SiloLabel, labels)).Select(p => p.Name).ToList();
        var summary = $"a silo here runs {here.Count} pool(s): {string.Join(", ", here)}"
            + (elsewhere.Count == 0 ? "" : $"; not {string.Join(", ", elsewhere)} (their SiloLabel is not in DSPex:Labels: {labelList})");
        return Task.FromResult(CheckResult.Pass(Name, summary, details));
    }
}

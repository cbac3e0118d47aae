using DSPex.Orleans.Configuration;
using DSPex.Orleans.Contracts;

namespace DSPex.Orleans.Diagnostics;

/// <summary>
/// Which pools a silo on this machine would run: the default pool always, and each named pool (DSPex:Pools:NAME)
/// whose SiloLabel, if it has one, is among DSPex:Labels, as <see cref="Pool.SiloPools"/> decides. A pool whose label
/// this machine lacks is noted, not failed (it runs on the silos that carry the label). A pool name the silo refuses
/// at start (not a pool name, or "default", which is DSPex:Pool) fails, and so does a single value at DSPex:Labels.
/// </summary>
internal sealed class PoolsCheck(IReadOnlyList<string> labels, IReadOnlyList<(string Name, string? SiloLabel)> named, string? labelsValue = null) : IDiagnosticCheck
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

    /// <summary>
    /// Why a single value at DSPex:Labels (<paramref name="labelsValue"/>, the section's own value: "DSPEX_DSPex__Labels=gpu")
    /// is refused, or null when it has none: the binder reads it as no labels at all, so a labelled pool would
    /// silently never run.
    /// </summary>
    public static string? LabelsRefusal(string? labelsValue) =>
        string.IsNullOrWhiteSpace(labelsValue) ? null
            : $"is the single value '{labelsValue}', which a silo reads as no labels; give a list by index: {LabelsSetting}:0={labelsValue} (environment: DSPEX_DSPex__Labels__0={labelsValue})";

    public Task<CheckResult> RunAsync(CancellationToken cancellationToken)
    {
        if (LabelsRefusal(labelsValue) is { } labelsWrong)
        {
            return Task.FromResult(new CheckResult(Name, CheckStatus.Fail, labelsWrong, LabelsSetting));
        }

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

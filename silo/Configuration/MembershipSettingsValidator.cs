using Microsoft.Extensions.Options;

namespace DSPex.Orleans.Silo.Configuration;

/// <summary>Rejects membership settings that would declare healthy silos dead or never declare dead ones, naming the setting.</summary>
internal sealed class MembershipSettingsValidator : IValidateOptions<MembershipSettings>
{
    private static readonly TimeSpan MinProbeTimeout = TimeSpan.FromMilliseconds(200);

    public ValidateOptionsResult Validate(string? name, MembershipSettings options)
    {
        var failures = new List<string>();
        var section = MembershipSettings.SectionName;
        if (!MembershipSettings.Presets.Contains(options.Preset))
        {
            failures.Add($"{section}:Preset must be one of {string.Join(", ", MembershipSettings.Presets)} (is '{options.Preset}').");
        }

        if (options.ProbeTimeout is { } probe && (probe < MinProbeTimeout || probe > TimeSpan.FromMinutes(1)))
        {
            failures.Add($"{section}:ProbeTimeout must be between {MinProbeTimeout.TotalMilliseconds:0} ms and 1 minute (is {probe}).");
        }

        if (options.MissedProbesLimit is < 1 or > 10)
        {
            failures.Add($"{section}:MissedProbesLimit must be between 1 and 10 (is {options.MissedProbesLimit}).");
        }

        if (options.VotesForDeathDeclaration is < 1 or > 10)
        {
            failures.Add($"{section}:VotesForDeathDeclaration must be between 1 and 10 (is {options.VotesForDeathDeclaration}).");
        }

        if (options.DeathVoteExpiration is { } expiry && expiry < TimeSpan.FromSeconds(5))
        {
            failures.Add($"{section}:DeathVoteExpiration must be at least 5 s, so the votes of one failure count together (is {expiry}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

using Microsoft.Extensions.Options;

namespace DSPex.Orleans.Configuration;

/// <summary>
/// Rejects session settings a silo could not keep at start: limits that are not positive, a TTL range that is
/// empty, and variables plus a spec that would not fit a request frame (then every session call would fail).
/// </summary>
internal sealed class DSPexSessionOptionsValidator(IOptions<DSPexPoolOptions> pool) : IValidateOptions<DSPexSessionOptions>
{
    public ValidateOptionsResult Validate(string? name, DSPexSessionOptions options)
    {
        var failures = new OptionFailures(DSPexSessionOptions.SectionName);
        failures.Positive(options.MinTtl, nameof(options.MinTtl));
        failures.Check(options.MaxTtl >= options.MinTtl, nameof(options.MaxTtl), $"must not be below MinTtl ({options.MinTtl})", options.MaxTtl);
        failures.Check(options.DefaultTtl >= options.MinTtl && options.DefaultTtl <= options.MaxTtl, nameof(options.DefaultTtl),
            $"must lie within MinTtl ({options.MinTtl}) and MaxTtl ({options.MaxTtl})", options.DefaultTtl);
        failures.Check(options.IdleDeactivationAge >= TimeSpan.FromSeconds(1), nameof(options.IdleDeactivationAge), "must be at least one second",
            options.IdleDeactivationAge);

        failures.Positive(options.MaxSessionIdLength, nameof(options.MaxSessionIdLength));
        failures.Positive(options.MaxNameLength, nameof(options.MaxNameLength));
        failures.Positive(options.MaxMetadataEntries, nameof(options.MaxMetadataEntries));
        failures.Positive(options.MaxMetadataBytes, nameof(options.MaxMetadataBytes));
        failures.Positive(options.MaxVariables, nameof(options.MaxVariables));
        failures.Positive(options.MaxVariableBytes, nameof(options.MaxVariableBytes));
        failures.Positive(options.MaxVariablesTotalBytes, nameof(options.MaxVariablesTotalBytes));
        failures.Positive(options.MaxPrograms, nameof(options.MaxPrograms));
        failures.Positive(options.MaxProgramSpecBytes, nameof(options.MaxProgramSpecBytes));
        failures.Check(options.MaxVariableBytes <= options.MaxVariablesTotalBytes, nameof(options.MaxVariableBytes),
            $"must not exceed MaxVariablesTotalBytes ({options.MaxVariablesTotalBytes})", options.MaxVariableBytes);

        // Half the frame stays free for the call's own arguments and the envelope.
        var frameShare = pool.Value.MaxFrameBytes / 2;
        if ((long)options.MaxVariablesTotalBytes + options.MaxProgramSpecBytes > frameShare)
        {
            failures.Add($"DSPex:Sessions:MaxVariablesTotalBytes ({options.MaxVariablesTotalBytes}) plus MaxProgramSpecBytes ({options.MaxProgramSpecBytes}) "
                + $"must fit half of DSPex:Pool:MaxFrameBytes ({frameShare}), since both travel in every session call's frame.");
        }

        return failures.Result;
    }
}

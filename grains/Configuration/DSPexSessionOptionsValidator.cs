using DSPex.Orleans.Configuration;
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
        var failures = new List<string>();
        if (options.MinTtl <= TimeSpan.Zero)
        {
            failures.Add($"DSPex:Sessions:MinTtl must be positive (is {options.MinTtl}).");
        }

        if (options.MaxTtl < options.MinTtl)
        {
            failures.Add($"DSPex:Sessions:MaxTtl ({options.MaxTtl}) must not be below MinTtl ({options.MinTtl}).");
        }

        if (options.DefaultTtl < options.MinTtl || options.DefaultTtl > options.MaxTtl)
        {
            failures.Add($"DSPex:Sessions:DefaultTtl ({options.DefaultTtl}) must lie within MinTtl ({options.MinTtl}) and MaxTtl ({options.MaxTtl}).");
        }

        if (options.IdleDeactivationAge < TimeSpan.FromSeconds(1))
        {
            failures.Add($"DSPex:Sessions:IdleDeactivationAge must be at least one second (is {options.IdleDeactivationAge}).");
        }

        Positive(options.MaxSessionIdLength, nameof(options.MaxSessionIdLength));
        Positive(options.MaxNameLength, nameof(options.MaxNameLength));
        Positive(options.MaxMetadataEntries, nameof(options.MaxMetadataEntries));
        Positive(options.MaxMetadataBytes, nameof(options.MaxMetadataBytes));
        Positive(options.MaxVariables, nameof(options.MaxVariables));
        Positive(options.MaxVariableBytes, nameof(options.MaxVariableBytes));
        Positive(options.MaxVariablesTotalBytes, nameof(options.MaxVariablesTotalBytes));
        Positive(options.MaxPrograms, nameof(options.MaxPrograms));
        Positive(options.MaxProgramSpecBytes, nameof(options.MaxProgramSpecBytes));

        if (options.MaxVariableBytes > options.MaxVariablesTotalBytes)
        {
            failures.Add($"DSPex:Sessions:MaxVariableBytes ({options.MaxVariableBytes}) must not exceed MaxVariablesTotalBytes ({options.MaxVariablesTotalBytes}).");
        }

        // Half the frame stays free for the call's own arguments and the envelope.
        var frameShare = pool.Value.MaxFrameBytes / 2;
        if ((long)options.MaxVariablesTotalBytes + options.MaxProgramSpecBytes > frameShare)
        {
            failures.Add($"DSPex:Sessions:MaxVariablesTotalBytes ({options.MaxVariablesTotalBytes}) plus MaxProgramSpecBytes ({options.MaxProgramSpecBytes}) "
                + $"must fit half of DSPex:Pool:MaxFrameBytes ({frameShare}), since both travel in every session call's frame.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);

        void Positive(int value, string option)
        {
            if (value <= 0)
            {
                failures.Add($"DSPex:Sessions:{option} must be positive (is {value}).");
            }
        }
    }
}

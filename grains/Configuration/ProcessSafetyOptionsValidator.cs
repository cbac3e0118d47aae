using Microsoft.Extensions.Options;

namespace DSPex.Orleans.Configuration;

/// <summary>Rejects process-safety settings the reaper could not run with: a sweep period or kill grace that is not a duration.</summary>
internal sealed class ProcessSafetyOptionsValidator : IValidateOptions<ProcessSafetyOptions>
{
    public ValidateOptionsResult Validate(string? name, ProcessSafetyOptions options)
    {
        var failures = new OptionFailures(ProcessSafetyOptions.SectionName);
        failures.Positive(options.SweepPeriod, nameof(options.SweepPeriod));
        failures.NotNegative(options.KillGracePeriod, nameof(options.KillGracePeriod));
        return failures.Result;
    }
}

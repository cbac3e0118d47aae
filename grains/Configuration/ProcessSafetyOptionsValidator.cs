using Microsoft.Extensions.Options;

namespace DSPex.Orleans.Configuration;

/// <summary>Rejects process-safety settings the reaper could not run with: a sweep period or kill grace that is not a duration.</summary>
internal sealed class ProcessSafetyOptionsValidator : IValidateOptions<ProcessSafetyOptions>
{
    public ValidateOptionsResult Validate(string? name, ProcessSafetyOptions options)
    {
        var failures = new List<string>();
        if (options.SweepPeriod <= TimeSpan.Zero)
        {
            failures.Add($"{ProcessSafetyOptions.SectionName}:SweepPeriod must be positive (is {options.SweepPeriod}).");
        }

        if (options.KillGracePeriod < TimeSpan.Zero)
        {
            failures.Add($"{ProcessSafetyOptions.SectionName}:KillGracePeriod must not be negative (is {options.KillGracePeriod}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

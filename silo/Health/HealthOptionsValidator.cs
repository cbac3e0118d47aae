using Microsoft.Extensions.Options;

namespace DSPex.Orleans.Silo.Health;

/// <summary>Rejects health settings the loop could not run with, naming the setting and its value.</summary>
internal sealed class HealthOptionsValidator : IValidateOptions<HealthOptions>
{
    public ValidateOptionsResult Validate(string? name, HealthOptions options)
    {
        var failures = new List<string>();
        Positive(options.ProbeInterval, nameof(options.ProbeInterval));
        Positive(options.ProbeTimeout, nameof(options.ProbeTimeout));
        Positive(options.MembershipLossLimit, nameof(options.MembershipLossLimit));
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);

        void Positive(TimeSpan value, string setting)
        {
            if (value <= TimeSpan.Zero || value > TimeSpan.FromDays(1))
            {
                failures.Add($"{HealthOptions.SectionName}:{setting} must be a positive duration of at most a day (is {value}).");
            }
        }
    }
}

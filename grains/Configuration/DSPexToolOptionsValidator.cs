using Microsoft.Extensions.Options;

namespace DSPex.Orleans.Configuration;

/// <summary>Rejects tool settings that would fail every client tool call or none: non-positive intervals and limits.</summary>
internal sealed class DSPexToolOptionsValidator : IValidateOptions<DSPexToolOptions>
{
    public ValidateOptionsResult Validate(string? name, DSPexToolOptions options)
    {
        var failures = new OptionFailures(DSPexToolOptions.SectionName);
        failures.Positive(options.ClientProbeInterval, nameof(options.ClientProbeInterval));
        failures.Positive(options.ClientProbeTimeout, nameof(options.ClientProbeTimeout));
        failures.Positive(options.MaxToolCallsPerWorker, nameof(options.MaxToolCallsPerWorker));
        return failures.Result;
    }
}

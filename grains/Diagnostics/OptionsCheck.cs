using Microsoft.Extensions.Options;

namespace DSPex.Orleans.Diagnostics;

/// <summary>One settings section through the validator the silo runs at start (ValidateOnStart): the same rules, the same messages.</summary>
internal sealed class OptionsCheck<TOptions>(string section, TOptions options, IValidateOptions<TOptions> validator) : IDiagnosticCheck
    where TOptions : class
{
    public string Name => $"settings {section}";

    public Task<CheckResult> RunAsync(CancellationToken cancellationToken)
    {
        var result = validator.Validate(Options.DefaultName, options);
        return Task.FromResult(result.Failed
            ? new CheckResult(Name, CheckStatus.Fail, string.Join(" ", result.Failures ?? []), section)
            : CheckResult.Pass(Name, "valid"));
    }
}

using Microsoft.Extensions.Options;

namespace DSPex.Orleans.Diagnostics;

/// <summary>
/// One settings section through the validator the silo runs at start (ValidateOnStart): the same rules, the same
/// messages. <paramref name="name"/> is the options' name (a named pool's name), null for unnamed options.
/// </summary>
internal sealed class OptionsCheck<TOptions>(string section, TOptions options, IValidateOptions<TOptions> validator, string? name = null) : IDiagnosticCheck
    where TOptions : class
{
    public string Name => $"settings {section}";

    public Task<CheckResult> RunAsync(CancellationToken cancellationToken)
    {
        var result = validator.Validate(name ?? Options.DefaultName, options);
        return Task.FromResult(result.Failed
            ? new CheckResult(Name, CheckStatus.Fail, string.Join(" ", result.Failures ?? []), section)
            : CheckResult.Pass(Name, "valid"));
    }
}

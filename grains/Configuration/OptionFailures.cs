using Microsoft.Extensions.Options;

namespace DSPex.Orleans.Configuration;

/// <summary>Collects what is wrong with one options section, each failure naming the full setting and its value.</summary>
internal sealed class OptionFailures(string section)
{
    private readonly List<string> _failures = [];

    public ValidateOptionsResult Result => _failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(_failures);

    public void Add(string failure) => _failures.Add(failure);

    public void Positive(long value, string setting) => Check(value > 0, setting, "must be positive", value);

    public void NotNegative(long value, string setting) => Check(value >= 0, setting, "must not be negative", value);

    public void Positive(TimeSpan value, string setting) => Check(value > TimeSpan.Zero, setting, "must be positive", value);

    public void NotNegative(TimeSpan value, string setting) => Check(value >= TimeSpan.Zero, setting, "must not be negative", value);

    public void Check(bool holds, string setting, string rule, object? value)
    {
        if (!holds)
        {
            _failures.Add($"{section}:{setting} {rule} (is {value}).");
        }
    }
}

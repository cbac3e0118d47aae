using DSPex.Orleans.Configuration;
using Microsoft.Extensions.Options;

namespace DSPex.Orleans.Security;

/// <summary>
/// Rejects API keys a silo could not check callers against (a hash that is not SHA-256, a scope that is blank) and an
/// auth-failure throttle that is not one (a negative limit, a window that is not positive or longer than an hour).
/// </summary>
internal sealed class DSPexSecurityOptionsValidator : IValidateOptions<DSPexSecurityOptions>
{
    public ValidateOptionsResult Validate(string? name, DSPexSecurityOptions options)
    {
        var failures = new OptionFailures(DSPexSecurityOptions.SectionName);
        foreach (var (keyName, key) in options.ApiKeys)
        {
            if (ApiKeyHash.Parse(key.Hash) is null)
            {
                // Never the text itself: a key pasted where its hash belongs must not reach a log.
                failures.Add(NotAHash(keyName));
            }

            failures.Check(!key.Scopes.Any(string.IsNullOrWhiteSpace), $"ApiKeys:{keyName}:Scopes", "must not hold a blank scope",
                $"[{string.Join(", ", key.Scopes)}]");
        }

        failures.NotNegative(options.AuthFailureLimit, nameof(options.AuthFailureLimit));
        failures.Positive(options.AuthFailureWindow, nameof(options.AuthFailureWindow));
        failures.Check(options.AuthFailureWindow <= MaxAuthFailureWindow, nameof(options.AuthFailureWindow),
            $"must be at most {MaxAuthFailureWindow} (a longer refusal locks a mistyped client out for longer than an operator expects)", options.AuthFailureWindow);
        return failures.Result;
    }

    /// <summary>The longest window a connection's wrong keys are counted over (and it is refused for).</summary>
    public static readonly TimeSpan MaxAuthFailureWindow = TimeSpan.FromHours(1);

    public static string NotAHash(string keyName) =>
        $"{DSPexSecurityOptions.SectionName}:ApiKeys:{keyName}:Hash is not \"sha256:\" followed by 64 hex digits";
}

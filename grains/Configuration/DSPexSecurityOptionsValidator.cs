using DSPex.Orleans.Security;
using Microsoft.Extensions.Options;

namespace DSPex.Orleans.Configuration;

/// <summary>Rejects API keys a silo could not check callers against: a hash that is not SHA-256, a scope that is blank.</summary>
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

        return failures.Result;
    }

    public static string NotAHash(string keyName) =>
        $"{DSPexSecurityOptions.SectionName}:ApiKeys:{keyName}:Hash is not \"sha256:\" followed by 64 hex digits";
}

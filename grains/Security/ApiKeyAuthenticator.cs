using System.Security.Cryptography;
using System.Text;
using DSPex.Orleans.Configuration;
using Microsoft.Extensions.Options;

namespace DSPex.Orleans.Security;

/// <summary>
/// Finds the credential a presented API key belongs to by its SHA-256 hash. Keys are long random secrets, so an
/// unsalted hash is enough to make a leaked configuration useless to callers; every configured hash is compared
/// in constant time, so timing does not tell which one came close.
/// </summary>
internal sealed class ApiKeyAuthenticator
{
    private readonly (CallerPrincipal Principal, byte[] Hash)[] _keys;

    public ApiKeyAuthenticator(IOptions<DSPexSecurityOptions> options)
    {
        _keys = [.. options.Value.ApiKeys.Select(entry => (new CallerPrincipal(entry.Key, [.. entry.Value.Scopes]), ParseHash(entry.Key, entry.Value.Hash)))];
    }

    public bool RequiresCredentials => _keys.Length > 0;

    /// <summary>The configured principal of that name (the name a call's RequestContext carries), or null.</summary>
    public CallerPrincipal? Find(string name) => Array.Find(_keys, k => k.Principal.Name == name).Principal;

    /// <summary>The principal whose key this is, or null.</summary>
    public CallerPrincipal? Authenticate(string? presentedKey)
    {
        if (!RequiresCredentials)
        {
            return CallerPrincipal.Anonymous;
        }

        if (string.IsNullOrEmpty(presentedKey))
        {
            return null;
        }

        var presented = SHA256.HashData(Encoding.UTF8.GetBytes(presentedKey));
        CallerPrincipal? found = null;
        foreach (var (principal, hash) in _keys)
        {
            if (CryptographicOperations.FixedTimeEquals(presented, hash))
            {
                found = principal;
            }
        }

        return found;
    }

    private static byte[] ParseHash(string name, string text) =>
        ApiKeyHash.Parse(text) ?? throw new InvalidSecurityConfigurationException(DSPexSecurityOptionsValidator.NotAHash(name));
}

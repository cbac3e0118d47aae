using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace DSPex.Orleans.Security;

/// <summary>
/// Finds the credential a presented API key belongs to by its SHA-256 hash. Keys are long random secrets, so an
/// unsalted hash is enough to make a leaked configuration useless to callers; every configured hash is compared
/// in constant time, so timing does not tell which one came close.
/// </summary>
public sealed class ApiKeyAuthenticator
{
    private const string HashPrefix = "sha256:";
    private readonly (CallerPrincipal Principal, byte[] Hash)[] _keys;

    public ApiKeyAuthenticator(IOptions<DSPexSecurityOptions> options)
    {
        _keys = [.. options.Value.ApiKeys.Select(entry => (new CallerPrincipal(entry.Key, [.. entry.Value.Scopes]), ParseHash(entry.Key, entry.Value.Hash)))];
    }

    public bool RequiresCredentials => _keys.Length > 0;

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

    /// <summary>The configuration form of a key's hash ("sha256:&lt;hex&gt;").</summary>
    public static string HashOf(string key) => HashPrefix + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    private static byte[] ParseHash(string name, string text)
    {
        var hex = text.StartsWith(HashPrefix, StringComparison.OrdinalIgnoreCase) ? text[HashPrefix.Length..] : text;
        try
        {
            var bytes = Convert.FromHexString(hex);
            if (bytes.Length == SHA256.HashSizeInBytes)
            {
                return bytes;
            }
        }
        catch (FormatException)
        {
        }

        throw new InvalidSecurityConfigurationException(
            $"{DSPexSecurityOptions.SectionName}:ApiKeys:{name}:Hash is not \"sha256:\" followed by 64 hex digits");
    }
}

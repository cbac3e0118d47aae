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

    /// <summary>
    /// The session namespace of the credential of that name (<see cref="SessionKeys"/>), or null when the cluster has
    /// no credentials or there is no such credential: then session ids are used bare.
    /// </summary>
    public string? SessionNamespaceOf(string name) => Array.Find(_keys, k => k.Principal.Name == name) is { Principal: not null } found
        ? SessionKeys.NamespaceOfKeyHash(found.Hash) : null;

    /// <summary>The configured principal of that name (the name a call's RequestContext carries), or null.</summary>
    public CallerPrincipal? Find(string name) => Array.Find(_keys, k => k.Principal.Name == name).Principal;

    /// <summary>
    /// The principal whose key this is, or null. Surrounding whitespace is not part of a key (a key read from a file
    /// or a Secret often ends in a newline): the gateway and the HTTP bearer check both pass what they received
    /// here, and this one rule applies to both. A key longer than <see cref="MaxKeyLength"/> is refused unhashed.
    /// </summary>
    public CallerPrincipal? Authenticate(string? presentedKey)
    {
        if (!RequiresCredentials)
        {
            return CallerPrincipal.Anonymous;
        }

        var trimmed = presentedKey?.Trim();
        if (string.IsNullOrEmpty(trimmed) || trimmed.Length > MaxKeyLength)
        {
            return null;
        }

        var presented = SHA256.HashData(Encoding.UTF8.GetBytes(trimmed));
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

    /// <summary>Longest key checked: generated keys are 64 hex digits; anything past this is refused before it is hashed.</summary>
    public const int MaxKeyLength = 1024;

    /// <summary>Why a key that did not authenticate was refused: a reason for the log and the message the caller gets (neither echoes the key).</summary>
    public static (string Reason, string Message) WhyRefused(string? presentedKey) => presentedKey?.Trim() switch
    {
        null or "" => ("no API key", "the cluster requires an API key; none was sent"),
        { Length: > MaxKeyLength } tooLong => ("an over-long API key", $"the API key sent is {tooLong.Length} characters long, past the limit of {MaxKeyLength}; it was not checked"),
        _ => ("unknown API key", "the API key sent is not valid for this cluster"),
    };

    private static byte[] ParseHash(string name, string text) =>
        ApiKeyHash.Parse(text) ?? throw new InvalidSecurityConfigurationException(DSPexSecurityOptionsValidator.NotAHash(name));
}

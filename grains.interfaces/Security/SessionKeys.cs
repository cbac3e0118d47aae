using System.Buffers;
using System.Security.Cryptography;
using System.Text;

namespace DSPex.Orleans.Security;

/// <summary>
/// Session ids are namespaced per credential: a client that sends an API key addresses its session "x" as the grain
/// "@&lt;namespace&gt;:x", the namespace derived from its key (a hash of the key's SHA-256, which the silo derives
/// from the configured hash), and the silo refuses a keyed caller any namespaced session outside its own namespace,
/// whether or not it exists. So two credentials' sessions of one id are two sessions, an id cannot be claimed first by
/// another credential, and asking about one tells nothing about another credential's ids. A client without a key
/// (the embedded default) addresses the grain by the bare id, exactly as before; see docs/security.md for what a
/// rolling upgrade does to a keyed caller's sessions.
/// </summary>
public static class SessionKeys
{
    /// <summary>Hex digits of a namespace.</summary>
    public const int NamespaceLength = 24;

    private const char Marker = '@';
    private const char Separator = ':';

    /// <summary>The characters a namespace is written in (lower-case hex).</summary>
    private static readonly SearchValues<char> HexDigits = SearchValues.Create("0123456789abcdef");

    /// <summary>The session namespace of the credential whose API key this is (surrounding whitespace is not part of a key).</summary>
    public static string NamespaceOfKey(string apiKey)
    {
        ArgumentNullException.ThrowIfNull(apiKey);
        return NamespaceOfKeyHash(SHA256.HashData(Encoding.UTF8.GetBytes(apiKey.Trim())));
    }

    /// <summary>The session namespace of the credential whose key has this SHA-256 (what the silo's configuration holds).</summary>
    public static string NamespaceOfKeyHash(ReadOnlySpan<byte> keyHash)
    {
        Span<byte> input = stackalloc byte[Domain.Length + keyHash.Length];
        Domain.CopyTo(input);
        keyHash.CopyTo(input[Domain.Length..]);
        return Convert.ToHexStringLower(SHA256.HashData(input))[..NamespaceLength];
    }

    /// <summary>The grain key of session <paramref name="sessionId"/> in namespace <paramref name="ns"/>; the bare id when there is none.</summary>
    public static string GrainKey(string sessionId, string? ns) => ns is null ? sessionId : $"{Marker}{ns}{Separator}{sessionId}";

    /// <summary>True when the grain key is a namespaced one, with its namespace and the id the caller gave.</summary>
    public static bool TryParse(string grainKey, out string ns, out string sessionId)
    {
        ArgumentNullException.ThrowIfNull(grainKey);
        if (grainKey.Length > NamespaceLength + 2 && grainKey[0] == Marker && grainKey[NamespaceLength + 1] == Separator
            && grainKey.AsSpan(1, NamespaceLength).ContainsAnyExcept(HexDigits) is false)
        {
            ns = grainKey.Substring(1, NamespaceLength);
            sessionId = grainKey[(NamespaceLength + 2)..];
            return true;
        }

        ns = "";
        sessionId = grainKey;
        return false;
    }

    /// <summary>The id the caller gave for a grain key: without its namespace, if it has one.</summary>
    public static string IdOf(string grainKey) => TryParse(grainKey, out _, out var sessionId) ? sessionId : grainKey;

    private static ReadOnlySpan<byte> Domain => "dspex-session-namespace:"u8;
}

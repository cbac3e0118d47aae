using System.Security.Cryptography;
using System.Text;

namespace DSPex.Orleans.Security;

/// <summary>The configuration form of an API key's hash: "sha256:" and 64 hex digits (the prefix may be left out).</summary>
public static class ApiKeyHash
{
    internal const string Prefix = "sha256:";

    /// <summary>The hash to configure for a key (DSPex:Security:ApiKeys:&lt;name&gt;:Hash); surrounding whitespace is not part of a key.</summary>
    public static string Of(string key) => Prefix + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key.Trim())));

    /// <summary>The hash's bytes; null when the text is not a SHA-256 hash.</summary>
    internal static byte[]? Parse(string text)
    {
        var hex = text.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) ? text[Prefix.Length..] : text;
        try
        {
            var bytes = Convert.FromHexString(hex);
            return bytes.Length == SHA256.HashSizeInBytes ? bytes : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}

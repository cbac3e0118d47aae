using System.Globalization;

namespace DSPex.Orleans.Workers.Bridge;

/// <summary>
/// Which bridge this silo can talk to. The bridge's ready frame names the protocol it speaks ("protocol": a number,
/// or a "major.minor" string); the silo accepts the same major version as its own (grains/Python/dspex/protocol.json
/// "version") and refuses any other before the worker is given work. A minor version may add what the other side can
/// ignore (an optional field, a frame type only sent after the other side offered it); anything an older peer would
/// misread is a new major version (docs/operations.md#upgrading).
/// </summary>
internal static class BridgeProtocolVersion
{
    /// <summary>The major version this silo speaks; equal to protocol.json's "version" (checked by a unit test).</summary>
    public const int Major = 2;

    /// <summary>The longest version text a ready frame may carry: a version, not a payload.</summary>
    public const int MaxLength = 32;

    /// <summary>True when a bridge that reported <paramref name="reported"/> speaks this silo's major version.</summary>
    public static bool IsCompatible(string? reported) => MajorOf(reported) == Major;

    /// <summary>Why a bridge that reported <paramref name="reported"/> cannot serve this silo: both versions named.</summary>
    public static string Mismatch(string? reported) => reported is null
        ? $"its ready frame names no protocol version; this silo speaks bridge protocol {Major} and accepts major version {Major} only"
        : $"it speaks bridge protocol {Printable(reported)}; this silo speaks bridge protocol {Major} and accepts major version {Major} only";

    private static int? MajorOf(string? reported)
    {
        if (reported is null)
        {
            return null;
        }

        var dot = reported.IndexOf('.', StringComparison.Ordinal);
        var major = dot < 0 ? reported : reported[..dot];
        var minor = dot < 0 ? "0" : reported[(dot + 1)..];
        return IsDigits(major) && IsDigits(minor) && int.TryParse(major, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : null;
    }

    private static bool IsDigits(string text) => text.Length > 0 && text.All(char.IsAsciiDigit);

    /// <summary>The reported text as it goes into a message: printable ASCII only (it came from a process).</summary>
    private static string Printable(string text) =>
        string.Concat(text.Select(c => c is >= ' ' and <= '~' ? c : '?'));
}

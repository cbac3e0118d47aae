using System.Globalization;
using System.Text.RegularExpressions;

namespace DSPex.Orleans.Tests.Infrastructure;

/// <summary>
/// The readiness of a silo build from before its ready line (DSPex.Orleans.Hosting.SiloReadyLine): only its pool's
/// log line said so. Harnesses read it from another build only (the previous release in the rolling-upgrade test,
/// the B side of a benchmark A/B); this build's harnesses wait for the ready line.
/// </summary>
public static partial class LegacyWarmLine
{
    [GeneratedRegex(@"Pool on .* warm: (\d+)/(\d+) workers in (\d+) ms")]
    private static partial Regex Pattern();

    /// <summary>The pools' warm-up time the line reports, or null for any other line.</summary>
    public static TimeSpan? Parse(string? line) =>
        line is not null && Pattern().Match(line) is { Success: true } match
            ? TimeSpan.FromMilliseconds(int.Parse(match.Groups[3].Value, CultureInfo.InvariantCulture))
            : null;
}

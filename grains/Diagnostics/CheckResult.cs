namespace DSPex.Orleans.Diagnostics;

/// <summary>
/// What one check found: its name ("python", "pool default: adapters"), its status, one line that says what is wrong
/// or what was found, the setting to change (null when none applies), and detail lines. Never holds a secret: a
/// check names files, endpoints and settings, not passwords or key material.
/// </summary>
internal sealed record CheckResult(string Check, CheckStatus Status, string Summary, string? Setting = null, IReadOnlyList<string>? Details = null)
{
    public IReadOnlyList<string> Details { get; init; } = Details ?? [];

    /// <summary>The failure as the silo's start-up reports it: the setting, then what is wrong.</summary>
    public string Message => Setting is null ? Summary : $"{Setting}: {Summary}";

    public static CheckResult Pass(string check, string summary, IReadOnlyList<string>? details = null) => new(check, CheckStatus.Pass, summary, null, details);

    public static CheckResult Skip(string check, string why) => new(check, CheckStatus.Skip, why);
}

namespace DSPex.Orleans.Security;

/// <summary>The scope names a call is checked against.</summary>
internal static class Scopes
{
    public const string Execute = "execute";
    public const string Stream = "stream";
    public const string Sessions = "sessions";
    public const string Stats = "stats";
    public const string Sweep = "sweep";

    /// <summary>Reserved for a recycle operation on the public facade; no facade method offers one yet.</summary>
    public const string Recycle = "recycle";

    public static string Command(string name) => $"command:{name}";

    public static string Program(string type) => $"program:{type}";

    /// <summary>What Python needs to call a tool on behalf of a caller (docs/tools.md).</summary>
    public static string Tool(string name) => $"tool:{name}";
}

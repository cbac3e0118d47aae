namespace DSPex.Orleans.Configuration;

/// <summary>Who may call the cluster from outside it (configuration section "DSPex:Security").</summary>
public sealed class DSPexSecurityOptions
{
    /// <summary>The configuration section the options bind from.</summary>
    public const string SectionName = "DSPex:Security";

    /// <summary>
    /// Credentials by name ("DSPex:Security:ApiKeys:&lt;name&gt;:Hash" and ":Scopes"). Several may be valid at once,
    /// so a key is rotated by adding the new one, moving callers over, then removing the old one.
    /// </summary>
    public Dictionary<string, ApiKeyOptions> ApiKeys { get; set; } = [];

    /// <summary>
    /// Lets a silo that listens beyond loopback accept callers without a credential. Without it such a silo
    /// refuses to start: an open gateway on a network is a configuration error, not a default.
    /// </summary>
    public bool AllowAnonymous { get; set; }

    /// <summary>
    /// Wrong API keys one connection (a gateway client, or an HTTP connection to /metrics or /dashboard) may present
    /// within <see cref="AuthFailureWindow"/> before every call on it is refused for one window (Unauthenticated,
    /// saying so), its key not even hashed. Other connections are not affected. 0 turns the throttle off. Default 20.
    /// </summary>
    public int AuthFailureLimit { get; set; } = 20;

    /// <summary>The window <see cref="AuthFailureLimit"/> counts over, and how long a connection past it stays refused. Default 1 minute.</summary>
    public TimeSpan AuthFailureWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>True when callers must present a credential.</summary>
    public bool RequiresCredentials => ApiKeys.Count > 0;
}

namespace DSPex.Orleans.Configuration;

/// <summary>One API key as the silo stores it: never the key, only its hash, and what it may do.</summary>
public sealed class ApiKeyOptions
{
    /// <summary>"sha256:" and the lowercase hex SHA-256 of the key's UTF-8 bytes (`printf %s "$KEY" | sha256sum`).</summary>
    public string Hash { get; set; } = "";

    /// <summary>
    /// What the key may do: operations (execute, stream, sessions, stats, sweep), "command:&lt;name&gt;",
    /// "program:&lt;type&gt;", a trailing "*" as a wildcard ("command:*"), or "*" for everything. Empty: nothing.
    /// </summary>
    public List<string> Scopes { get; set; } = [];
}

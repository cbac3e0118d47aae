namespace DSPex.Orleans.Security;

/// <summary>An authenticated caller: the credential's name and the scopes it was granted.</summary>
internal sealed class CallerPrincipal(string name, IReadOnlyCollection<string> scopes)
{
    /// <summary>The principal of every caller when no credentials are configured (embedded default).</summary>
    public static readonly CallerPrincipal Anonymous = new("anonymous", ["*"]);

    public string Name { get; } = name;

    public IReadOnlyCollection<string> Scopes { get; } = scopes;

    public bool Allows(string scope) => Scopes.Any(granted => Matches(granted, scope));

    private static bool Matches(string granted, string scope) =>
        granted.EndsWith('*') ? scope.StartsWith(granted.AsSpan(0, granted.Length - 1), StringComparison.Ordinal) : granted == scope;
}

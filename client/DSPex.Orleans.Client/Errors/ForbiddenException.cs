using DSPex.Orleans.Contracts;

namespace DSPex.Orleans.Client.Errors;

/// <summary>The credential is valid but lacks <see cref="Scope"/> (or the grain answers the cluster only); nothing ran.</summary>
public sealed class ForbiddenException(string message, string? scope) : DSPexException(DSPexErrorKind.Forbidden, message)
{
    /// <summary>The missing scope, e.g. "command:echo", "sweep", or "internal" for a grain outside the public facade.</summary>
    public string? Scope { get; } = scope;
}

namespace DSPex.Orleans.Processes;

/// <summary>Limits both sides of the pipe read the same way, so valid input is never read differently by them.</summary>
internal static class ProtocolLimits
{
    /// <summary>
    /// Deepest nesting of one value crossing the pipe: a call's args, a session's variables object, a program's
    /// spec, a result. System.Text.Json's default, so a client parsing a result with default options reads it too.
    /// </summary>
    public const int MaxValueDepth = 64;
}

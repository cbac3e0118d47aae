namespace DSPex.Orleans.Processes;

/// <summary>Limits both sides of the pipe read the same way, so valid input is never read differently by them.</summary>
internal static class ProtocolLimits
{
    /// <summary>
    /// Deepest nesting of one value crossing the pipe: a call's args, a session's variables object, a program's
    /// spec, a result. System.Text.Json's default, so a client parsing a result with default options reads it too.
    /// </summary>
    public const int MaxValueDepth = 64;

    /// <summary>
    /// Most digits of an integer Python reads from JSON: CPython's default int_max_str_digits (3.11+), past which
    /// json.loads raises ValueError. The silo refuses such an integer where Python would otherwise fail to read a
    /// value on every later call (a session variable, a program spec) or where it would not know which call failed
    /// (a tool's result).
    /// </summary>
    public const int MaxIntegerDigits = 4300;
}

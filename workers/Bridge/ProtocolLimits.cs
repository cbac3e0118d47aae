namespace DSPex.Orleans.Workers.Bridge;

/// <summary>
/// Limits both sides of the pipe read the same way, so valid input is never read differently by them; each is in
/// grains/Python/dspex/protocol.json (checked by Unit/Protocol/ProtocolDefinitionTests), except where a limit says otherwise.
/// </summary>
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

    /// <summary>
    /// Room the silo's reader allows over the frame limit (protocol.json limits.envelope_allowance_bytes): the limit
    /// bounds the values a request carries, and a reply's envelope around a value of the largest size must still be read.
    /// </summary>
    public const int EnvelopeAllowanceBytes = 1024;

    /// <summary>
    /// Most binary parts a tool call's args or a tool's result may carry: the same bound as a request's args (the
    /// contract's RequestLimits.MaxBinaryParts, checked equal by Unit/Protocol/CoreErrorMappingTests), kept here
    /// because the core does not reference the contracts.
    /// </summary>
    public const int MaxBinaryParts = 4096;
}

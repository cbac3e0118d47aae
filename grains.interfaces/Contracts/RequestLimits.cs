namespace DSPex.Orleans.Contracts;

/// <summary>
/// Bounds on what a caller may send, shared by the client library (which refuses locally) and the silo (which
/// refuses at its entry, before a worker is taken). The silo's frame limit and maximum deadline are its own
/// configuration; these are the bounds every part agrees on.
/// </summary>
public static class RequestLimits
{
    /// <summary>Longest command name. Registered names are short identifiers; "program:" plus a program id fits.</summary>
    public const int MaxCommandLength = 256;

    /// <summary>
    /// Most tools one request may offer from its client (<see cref="ExecuteRequest.Tools"/>). Each name is a tool
    /// name (<see cref="Tools.DSPexTool.IsValidName"/>); the silo refuses a list past these bounds, since the names
    /// become metric labels and appear in what Python is told.
    /// </summary>
    public const int MaxClientTools = 128;

    /// <summary>Longest description of a client tool (what a model is told about it).</summary>
    public const int MaxToolDescriptionLength = 8 * 1024;

    /// <summary>Longest JSON Schema of a client tool's arguments, in characters.</summary>
    public const int MaxToolSchemaLength = 256 * 1024;

    /// <summary>Longest session id.</summary>
    public const int MaxIdLength = 256;

    /// <summary>
    /// Deepest nesting of arguments JSON. The silo's reader and the Python bridge read frames up to this depth
    /// plus their envelope, so arguments a worker echoes back can be read again.
    /// </summary>
    public const int MaxJsonDepth = 64;

    /// <summary>The longest deadline a client may ask for: Orleans' response timeout of the execute calls.</summary>
    public static readonly TimeSpan MaxTimeout = TimeSpan.Parse(CallTracking.ExecuteResponseTimeout, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Default arguments size the client refuses past; the silos' default frame limit (16 MiB).</summary>
    public const int DefaultMaxRequestBytes = 16 * 1024 * 1024;

    /// <summary>Most binary parts one request's args may refer to (docs/data.md).</summary>
    public const int MaxBinaryParts = 4096;

    /// <summary>
    /// Orleans' message body limit on the silos for a frame limit. A request between silos carries args, session
    /// variables and a program spec, each up to a frame (together they must fit one frame, which the pool checks
    /// with a typed error), so the limit leaves room for three frames and an envelope. Past it Orleans refuses a
    /// message before reading its body into memory; it does so by dropping the connection, which is why the
    /// client library refuses over-limit arguments itself and Orleans' limit stays above anything valid.
    /// </summary>
    public static int MessageBodyLimit(int maxFrameBytes) => (int)Math.Min(int.MaxValue, (3L * maxFrameBytes) + (1024 * 1024));

    /// <summary>True for a character a command name may hold: letters, digits and _ - . : /</summary>
    public static bool IsCommandCharacter(char c) =>
        c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '_' or '-' or '.' or ':' or '/';
}

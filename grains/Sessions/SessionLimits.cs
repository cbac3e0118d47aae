using System.Text;
using System.Text.Json;
using DSPex.Orleans.Configuration;
using DSPex.Orleans.Contracts;
using DSPex.Orleans.Processes;
using DSPex.Orleans.Sessions.Storage;
using DSPex.Orleans.Workers.Bridge;

namespace DSPex.Orleans.Sessions;

/// <summary>
/// Checks what a caller (or Python, through variable updates) asks a session to hold against the configured
/// limits, before anything changes. A refusal is a <see cref="DSPexRequestException"/> naming the input and the
/// limit: InvalidArguments for malformed input, SessionLimitExceeded for input over a limit.
/// </summary>
internal sealed class SessionLimits(DSPexSessionOptions options)
{
    /// <summary>Whether the id (of a namespaced grain key: the id the caller gave, see SessionKeys) is within the limits.</summary>
    public bool IsValidSessionId(string sessionId) =>
        Security.SessionKeys.IdOf(sessionId) is { Length: > 0 and var length } id && length <= options.MaxSessionIdLength && id.All(IsSessionIdChar);

    public void CheckSessionId(string sessionId)
    {
        if (!IsValidSessionId(sessionId))
        {
            throw Invalid($"session id '{Shorten(sessionId)}' must be 1 to {options.MaxSessionIdLength} characters of ASCII letters, digits, '-', '_', '.', ':' or '@'");
        }
    }

    /// <summary>The TTL the options ask for (or the default), once options and metadata are within bounds.</summary>
    public TimeSpan CheckOptions(SessionOptions sessionOptions)
    {
        ArgumentNullException.ThrowIfNull(sessionOptions);
        var ttl = sessionOptions.Ttl ?? options.DefaultTtl;
        if (ttl <= TimeSpan.Zero)
        {
            throw Invalid($"session TTL {ttl} must be positive");
        }

        if (ttl < options.MinTtl || ttl > options.MaxTtl)
        {
            throw OverLimit($"session TTL {ttl} is outside [{options.MinTtl}, {options.MaxTtl}] (DSPex:Sessions:MinTtl/MaxTtl)");
        }

        if (sessionOptions.Pool is { } pool && PoolNames.Check(pool, "the session's pool") is { } badPool)
        {
            throw Invalid(badPool.Message);
        }

        if (sessionOptions.Affinity is { } affinity && !Enum.IsDefined(affinity))
        {
            throw Invalid($"affinity mode {(int)affinity} is not one of {string.Join(", ", Enum.GetNames<AffinityMode>())}");
        }

        if (sessionOptions.Metadata is { } metadata)
        {
            if (metadata.Count > options.MaxMetadataEntries)
            {
                throw OverLimit($"session metadata has {metadata.Count} entries, over the limit of {options.MaxMetadataEntries} (DSPex:Sessions:MaxMetadataEntries)");
            }

            var bytes = metadata.Sum(m => Encoding.UTF8.GetByteCount(m.Key) + Encoding.UTF8.GetByteCount(m.Value ?? ""));
            if (bytes > options.MaxMetadataBytes)
            {
                throw OverLimit($"session metadata is {bytes} bytes, over the limit of {options.MaxMetadataBytes} (DSPex:Sessions:MaxMetadataBytes)");
            }
        }

        return ttl;
    }

    public void CheckName(string name, string what)
    {
        if (string.IsNullOrEmpty(name))
        {
            throw Invalid($"{what} must not be empty");
        }

        try
        {
            CallerJson.CheckText(name, what);
        }
        catch (InvalidCallInputException e)
        {
            throw Invalid(e.Message);
        }

        if (name.Length > options.MaxNameLength)
        {
            throw OverLimit($"{what} '{Shorten(name)}' is {name.Length} characters, over the limit of {options.MaxNameLength} (DSPex:Sessions:MaxNameLength)");
        }
    }

    /// <summary>Parses a program spec once, within the size limit.</summary>
    public JsonElement ParseSpec(string programId, string specJson) =>
        ParseJson(specJson, $"program spec of '{Shorten(programId)}'", options.MaxProgramSpecBytes, "MaxProgramSpecBytes",
            mustBeObject: true, ProtocolLimits.MaxValueDepth);

    /// <summary>Parses a variable's value once, within the size limit.</summary>
    public JsonElement ParseVariable(string name, string valueJson) =>
        ParseJson(valueJson, $"value of variable '{Shorten(name)}'", options.MaxVariableBytes, "MaxVariableBytes",
            mustBeObject: false, ProtocolLimits.MaxValueDepth - 1); // one level goes to the variables object around it

    public void CheckVariableValue(string name, JsonElement value)
    {
        CheckName(name, "variable name");
        var bytes = Encoding.UTF8.GetByteCount(value.GetRawText());
        if (bytes > options.MaxVariableBytes)
        {
            throw OverLimit($"value of variable '{Shorten(name)}' is {bytes} bytes, over the limit of {options.MaxVariableBytes} (DSPex:Sessions:MaxVariableBytes)");
        }
    }

    public void CheckProgramCount(IReadOnlyDictionary<string, StoredProgram> programs, string programId)
    {
        if (!programs.ContainsKey(programId) && programs.Count >= options.MaxPrograms)
        {
            throw OverLimit($"program '{Shorten(programId)}' would be one more than the limit of {options.MaxPrograms} programs per session (DSPex:Sessions:MaxPrograms)");
        }
    }

    /// <summary>Checks the variables a session would hold after a change, as the JSON object every call sends.</summary>
    public void CheckVariables(IReadOnlyDictionary<string, JsonElement> variables)
    {
        if (variables.Count > options.MaxVariables)
        {
            throw OverLimit($"the session would hold {variables.Count} variables, over the limit of {options.MaxVariables} (DSPex:Sessions:MaxVariables)");
        }

        var bytes = JsonSerializer.SerializeToUtf8Bytes(variables, SessionStateJsonContext.Default.IReadOnlyDictionaryStringJsonElement).Length;
        if (bytes > options.MaxVariablesTotalBytes)
        {
            throw OverLimit($"the session's variables would take {bytes} bytes, over the limit of {options.MaxVariablesTotalBytes} (DSPex:Sessions:MaxVariablesTotalBytes)");
        }
    }

    /// <summary>
    /// Parses caller JSON once, within its size limit and the checks the frame writer applies (one value, the protocol's
    /// depth, no lone surrogates): a session must never store what would make every later call fail.
    /// </summary>
    private static JsonElement ParseJson(string? json, string what, int maxBytes, string option, bool mustBeObject, int maxDepth)
    {
        if (json is null)
        {
            throw Invalid($"{what} is missing");
        }

        // Counted before parsing, so an oversized value costs no parse.
        var bytes = Encoding.UTF8.GetByteCount(json);
        if (bytes > maxBytes)
        {
            throw OverLimit($"{what} is {bytes} bytes, over the limit of {maxBytes} (DSPex:Sessions:{option})");
        }

        try
        {
            CallerJson.Check(Encoding.UTF8.GetBytes(json), what, mustBeObject, maxDepth, readableByPython: true);
        }
        catch (InvalidCallInputException e)
        {
            throw Invalid(e.Message);
        }

        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    private static bool IsSessionIdChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':' or '@';

    // Caller text is quoted back shortened, so an error message stays small whatever was sent.
    private static string Shorten(string text) =>
        text.Length <= 64 ? text : $"{text[..(char.IsHighSurrogate(text[63]) ? 63 : 64)]}…";

    private static DSPexRequestException Invalid(string message) => new(DSPexErrorKind.InvalidArguments, message);

    private static DSPexRequestException OverLimit(string message) => new(DSPexErrorKind.SessionLimitExceeded, message);
}

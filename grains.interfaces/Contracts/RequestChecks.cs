using System.Buffers;
using System.Text;
using System.Text.Json;

namespace DSPex.Orleans.Contracts;

/// <summary>
/// The checks a request passes before it costs a worker: the client library runs them to refuse locally, the
/// silo runs them again at its entry for callers that bypass the library. Each failure names the input.
/// </summary>
public static class RequestChecks
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Null when <paramref name="command"/> is a usable command name; otherwise why not.</summary>
    public static ExecuteError? Command(string? command, string name = "command")
    {
        if (string.IsNullOrEmpty(command))
        {
            return Invalid($"{name} is {(command is null ? "null" : "empty")}; give the name of a registered command");
        }

        if (command.Length > RequestLimits.MaxCommandLength)
        {
            return Invalid($"{name} is {command.Length} characters long, past the limit of {RequestLimits.MaxCommandLength}");
        }

        for (var i = 0; i < command.Length; i++)
        {
            if (!RequestLimits.IsCommandCharacter(command[i]))
            {
                return Invalid($"{name} has the character U+{(int)command[i]:X4} at index {i}; a command name holds letters, digits and _ - . : /");
            }
        }

        return null;
    }

    /// <summary>Null when <paramref name="id"/> (a session id) is non-empty and at most <see cref="RequestLimits.MaxIdLength"/> characters.</summary>
    public static ExecuteError? Id(string? id, string name)
    {
        if (string.IsNullOrEmpty(id))
        {
            return Invalid($"{name} is {(id is null ? "null" : "empty")}");
        }

        return id.Length > RequestLimits.MaxIdLength
            ? Invalid($"{name} is {id.Length} characters long, past the limit of {RequestLimits.MaxIdLength}")
            : null;
    }

    /// <summary>
    /// Null when <paramref name="tools"/> (a request's client tools; null: none) names an observer and at most
    /// <see cref="RequestLimits.MaxClientTools"/> tools, each with a valid tool name (1-64 of letters, digits, '_',
    /// '-', '.'), a description and a schema within their limits. A refusal says which tool by index, never echoing
    /// the name it refuses.
    /// </summary>
    public static ExecuteError? Tools(DSPex.Orleans.Tools.ClientTools? tools, string name = "tools")
    {
        if (tools is null)
        {
            return null;
        }

        if (tools.Host is null || tools.Tools is null)
        {
            return Invalid($"{name} lacks {(tools.Host is null ? "its observer" : "its list")}");
        }

        if (tools.Tools.Length > RequestLimits.MaxClientTools)
        {
            return Invalid($"{name} offers {tools.Tools.Length} tools, past the limit of {RequestLimits.MaxClientTools}");
        }

        for (var i = 0; i < tools.Tools.Length; i++)
        {
            var tool = tools.Tools[i];
            if (tool is null)
            {
                return Invalid($"{name}[{i}] is null");
            }

            if (!DSPex.Orleans.Tools.DSPexTool.IsValidName(tool.Name))
            {
                return Invalid($"{name}[{i}] has a name of {tool.Name?.Length ?? 0} characters that is not 1-{DSPex.Orleans.Tools.DSPexTool.MaxNameLength} letters, digits, '_', '-' or '.'");
            }

            if (tool.Description is null || tool.Description.Length > RequestLimits.MaxToolDescriptionLength)
            {
                return Invalid($"{name}[{i}] ('{tool.Name}') has {(tool.Description is null ? "no description" : $"a description of {tool.Description.Length} characters, past the limit of {RequestLimits.MaxToolDescriptionLength}")}");
            }

            if (tool.SchemaJson is null || tool.SchemaJson.Length > RequestLimits.MaxToolSchemaLength)
            {
                return Invalid($"{name}[{i}] ('{tool.Name}') has {(tool.SchemaJson is null ? "no schema" : $"a schema of {tool.SchemaJson.Length} characters, past the limit of {RequestLimits.MaxToolSchemaLength}")}");
            }
        }

        return null;
    }

    /// <summary>Null when <paramref name="value"/> is not null.</summary>
    public static ExecuteError? Present(object? value, string name) => value is null ? Invalid($"{name} is null") : null;

    /// <summary>
    /// Binary parts a request's args refer to: at most <see cref="RequestLimits.MaxBinaryParts"/> of them, and together
    /// (with one separator byte) within <paramref name="maxBytes"/>; null or none is fine. The frame writer checks the
    /// exact frame with the args around them.
    /// </summary>
    public static ExecuteError? Parts(ReadOnlyMemory<byte>[]? parts, int maxBytes, string name = "args' binary parts")
    {
        if (parts is null || parts.Length == 0)
        {
            return null;
        }

        if (parts.Length > RequestLimits.MaxBinaryParts)
        {
            return Invalid($"{name} are {parts.Length}; at most {RequestLimits.MaxBinaryParts} are allowed");
        }

        long total = 1;
        foreach (var part in parts)
        {
            total += part.Length;
        }

        return total > maxBytes
            ? new ExecuteError(DSPexErrorKind.FrameTooLarge, $"{name} are {total} bytes; the frame limit is {maxBytes} bytes")
            : null;
    }

    /// <summary>
    /// Null when <paramref name="json"/> is one well-formed JSON value, valid UTF-16 (no lone surrogate), at most
    /// <see cref="RequestLimits.MaxJsonDepth"/> deep and at most <paramref name="maxBytes"/> bytes as UTF-8.
    /// </summary>
    public static ExecuteError? Json(string? json, int maxBytes, string name = "args")
    {
        if (json is null)
        {
            return Invalid($"{name} is null; give JSON text (\"{{}}\" or \"null\" for none)");
        }

        if (json.Length == 0)
        {
            return Invalid($"{name} is empty; give JSON text (\"{{}}\" or \"null\" for none)");
        }

        // A UTF-8 byte is at most one UTF-16 unit, so this rules out the over-long before anything is encoded.
        if (json.Length > maxBytes)
        {
            return TooLarge(name, json.Length, maxBytes, atLeast: true);
        }

        int bytes;
        try
        {
            bytes = StrictUtf8.GetByteCount(json);
        }
        catch (EncoderFallbackException e)
        {
            return Invalid($"{name} holds a lone UTF-16 surrogate at index {e.Index}: it is not valid Unicode text");
        }

        if (bytes > maxBytes)
        {
            return TooLarge(name, bytes, maxBytes, atLeast: false);
        }

        var buffer = ArrayPool<byte>.Shared.Rent(bytes);
        try
        {
            var written = StrictUtf8.GetBytes(json, buffer);
            var reader = new Utf8JsonReader(buffer.AsSpan(0, written), new JsonReaderOptions { MaxDepth = RequestLimits.MaxJsonDepth });
            while (reader.Read())
            {
            }

            return null;
        }
        catch (JsonException e)
        {
            return Invalid($"{name} is not valid JSON within depth {RequestLimits.MaxJsonDepth}: {e.Message}");
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Null when <paramref name="timeout"/> (null: the silo's default) is positive and at most <paramref name="max"/>.</summary>
    public static ExecuteError? Timeout(TimeSpan? timeout, TimeSpan max, string name = "timeout")
    {
        if (timeout is not { } value)
        {
            return null;
        }

        if (value <= TimeSpan.Zero)
        {
            return Invalid($"{name} is {value}; a deadline must be positive (leave it unset for the default)");
        }

        return value > max ? Invalid($"{name} of {value} is past the maximum of {max}") : null;
    }

    private static ExecuteError Invalid(string message) => new(DSPexErrorKind.InvalidArguments, message);

    private static ExecuteError TooLarge(string name, int size, int limit, bool atLeast) =>
        new(DSPexErrorKind.FrameTooLarge, $"{name} of {(atLeast ? "at least " : "")}{size} bytes exceeds the limit of {limit} bytes for a request");
}

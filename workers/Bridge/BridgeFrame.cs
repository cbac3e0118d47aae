using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace DSPex.Orleans.Workers.Bridge;

/// <summary>
/// A decoded frame from the bridge: one record per frame type (BridgeFrames.cs), as grains/Python/dspex/protocol.json
/// defines them. A JSON value in a frame (a result, an item, a tool's args) is kept as the exact text Python wrote: the
/// envelope is scanned with a forward-only reader and the value is sliced out, not parsed into a DOM.
/// </summary>
internal abstract record BridgeFrame
{
    /// <summary>The frame's type (the envelope's "type").</summary>
    public abstract BridgeFrameType Type { get; }

    // The envelope adds levels around a value (result, session.set.name, error): the reader itself accepts any
    // depth (it is iterative; the frame length bounds it) and the value's own depth is checked against the
    // protocol limit, so a deep value is an error for its request, not a broken stream.
    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = int.MaxValue };

    /// <summary>Decodes one envelope. Throws <see cref="FrameFormatException"/>, and only that, when it is not the protocol.</summary>
    public static BridgeFrame Parse(ReadOnlySpan<byte> envelope)
    {
        try
        {
            var json = BinaryParts.Envelope(envelope, out var region, out var hasParts);
            return ParseEnvelope(json, region, hasParts);
        }
        catch (JsonException e)
        {
            throw new FrameFormatException(e.Message, e);
        }
    }

    private static BridgeFrame ParseEnvelope(ReadOnlySpan<byte> envelope, ReadOnlySpan<byte> region, bool hasParts)
    {
        var reader = new Utf8JsonReader(envelope, ReaderOptions);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new FrameFormatException("the frame is not a JSON object");
        }

        var type = BridgeFrameType.Unknown;
        long id = -1;
        string? result = null, item = null, session = null, message = null;
        int resultDepth = 0, sessionDepth = 0;
        CallError? error = null;
        int pid = 0, pgid = 0;
        List<string>? commands = null;
        long toolId = -1;
        var granted = 0;
        string? toolName = null, toolArgs = null, protocolVersion = null;
        var toolArgsDepth = 0;
        List<int>? partLengths = null;
        while (Next(ref reader) == JsonTokenType.PropertyName)
        {
            if (Is(ref reader, "id"u8))
            {
                Next(ref reader);
                id = reader.TokenType == JsonTokenType.Null ? -1 : ReadInt64(ref reader, "id");
            }
            else if (Is(ref reader, "type"u8))
            {
                Next(ref reader);
                Expect(reader.TokenType == JsonTokenType.String, "type is not a string");
                type = ParseType(ref reader);
            }
            else if (Is(ref reader, "result"u8))
            {
                Next(ref reader);
                (result, resultDepth) = SliceValue(ref reader, envelope);
            }
            else if (Is(ref reader, "item"u8))
            {
                Next(ref reader);
                (item, _) = SliceValue(ref reader, envelope);
            }
            else if (Is(ref reader, "session"u8))
            {
                Next(ref reader);
                Expect(reader.TokenType is JsonTokenType.StartObject or JsonTokenType.Null, "session is not an object");
                (session, sessionDepth) = SliceValue(ref reader, envelope);
                session = reader.TokenType == JsonTokenType.Null ? null : session;
            }
            else if (Is(ref reader, "error"u8))
            {
                Next(ref reader);
                Expect(reader.TokenType is JsonTokenType.StartObject or JsonTokenType.Null, "error is not an object");
                error = reader.TokenType == JsonTokenType.Null ? null : ParseError(ref reader);
            }
            else if (Is(ref reader, "message"u8))
            {
                Next(ref reader);
                message = ReadOptionalText(ref reader, "message");
            }
            else if (Is(ref reader, "pid"u8))
            {
                Next(ref reader);
                pid = ReadInt32(ref reader, "pid");
            }
            else if (Is(ref reader, "pgid"u8))
            {
                Next(ref reader);
                pgid = ReadInt32(ref reader, "pgid");
            }
            else if (Is(ref reader, "n"u8))
            {
                Next(ref reader);
                granted = ReadInt32(ref reader, "n");
            }
            else if (Is(ref reader, "tool_id"u8))
            {
                Next(ref reader);
                toolId = ReadInt64(ref reader, "tool_id");
            }
            else if (Is(ref reader, "tool"u8))
            {
                Next(ref reader);
                toolName = ReadOptionalText(ref reader, "tool");
            }
            else if (Is(ref reader, "args"u8))
            {
                Next(ref reader);
                (toolArgs, toolArgsDepth) = SliceValue(ref reader, envelope);
            }
            else if (Is(ref reader, "protocol"u8))
            {
                Next(ref reader);
                protocolVersion = ReadVersion(ref reader);
            }
            else if (Is(ref reader, "parts"u8))
            {
                Next(ref reader);
                partLengths = ReadPartLengths(ref reader);
            }
            else if (Is(ref reader, "commands"u8))
            {
                Next(ref reader);
                commands = ReadTextList(ref reader, "commands");
            }
            else
            {
                // A field this silo does not read: an informational one (protocol.json), or one a newer minor version added.
                Next(ref reader);
                SkipValue(ref reader);
            }
        }

        Expect(reader.TokenType == JsonTokenType.EndObject, "the envelope has a value where a field name belongs");
        Expect(!reader.Read(), "the frame holds data after the envelope");
        // Only a result, an item or a tool call carries binary parts; on any other frame, bytes after the envelope break the protocol.
        Expect(!hasParts || type is BridgeFrameType.Result or BridgeFrameType.Item or BridgeFrameType.ToolCall, "the frame holds data after the envelope");
        switch (type)
        {
            case BridgeFrameType.Ready:
                return new ReadyFrame(pid, pgid, protocolVersion, commands ?? []);
            case BridgeFrameType.Result:
                Expect(result is not null, "a result frame without a result");
                // A variables object nests one level under session.set, and must stay storable as a session's variables.
                if (resultDepth > ProtocolLimits.MaxValueDepth || sessionDepth > ProtocolLimits.MaxValueDepth + 1)
                {
                    var what = resultDepth > ProtocolLimits.MaxValueDepth ? $"the result nests {resultDepth} levels deep" : "a session variable it set nests too deep";
                    return new ErrorFrame(id, new CallError(CallErrorKind.ResultNotSerializable,
                        $"{what}, past the protocol limit of {ProtocolLimits.MaxValueDepth} levels", "ResultTooDeep"));
                }

                var parts = BinaryParts.Cut(partLengths, region, hasParts, out var partsProblem);
                if (partsProblem is not null)
                {
                    // The length prefix kept the stream in step: this call fails, the worker keeps serving.
                    return new ErrorFrame(id, new CallError(CallErrorKind.ResultNotSerializable,
                        $"the result's binary parts do not add up: {partsProblem}", "BinaryPartsMismatch"));
                }

                return new ResultFrame(id, result!, session, parts);
            case BridgeFrameType.Error:
                Expect(error is not null, "an error frame without an error");
                return new ErrorFrame(id, error!);
            case BridgeFrameType.Item:
                Expect(item is not null, "an item frame without an item");
                var itemParts = BinaryParts.Cut(partLengths, region, hasParts, out var itemPartsProblem);
                if (itemPartsProblem is not null)
                {
                    // As for a result: the stream ends with this error, the worker keeps serving.
                    return new ErrorFrame(id, new CallError(CallErrorKind.ResultNotSerializable,
                        $"a stream item's binary parts do not add up: {itemPartsProblem}", "BinaryPartsMismatch"));
                }

                return new ItemFrame(id, item!, itemParts);
            case BridgeFrameType.Heartbeat:
                return new HeartbeatFrame(id);
            case BridgeFrameType.ChunkCredit:
                return new ChunkCreditFrame(id, granted);
            case BridgeFrameType.Fatal:
                return new FatalFrame(message);
            case BridgeFrameType.ProtocolError:
                return new ProtocolErrorFrame(message);
            case BridgeFrameType.ToolCall or BridgeFrameType.ListTools:
                // The tool's name and args are checked by the silo's tool broker (an unknown name is the caller's error);
                // what is checked here is the envelope.
                Expect(id >= 0 && toolId >= 0, "a tool frame without its request id and tool_id");
                if (type == BridgeFrameType.ListTools)
                {
                    return new ListToolsFrame(id, toolId);
                }

                Expect(toolName is not null && toolArgs is not null, "a tool_call frame without tool and args");
                // Args past the depth limit are exactly the protocol, over a content limit: an error for that tool call
                // (InvalidArguments), not a broken stream, as a result too deep is an error for its request.
                // Parts whose lengths lie are found inside the frame (its length prefix kept the stream in step): that
                // tool call fails InvalidArguments naming the part, the worker and its request go on.
                var toolParts = BinaryParts.Cut(partLengths, region, hasParts, out var toolPartsProblem);
                return new ToolCallFrame(id, toolId, toolName!, toolArgs!, toolParts)
                {
                    ArgsProblem = toolArgsDepth > ProtocolLimits.MaxValueDepth
                        ? $"the args of the tool call nest {toolArgsDepth} levels deep, past the protocol limit of {ProtocolLimits.MaxValueDepth}"
                        : toolPartsProblem is not null ? $"the tool call's binary parts do not add up: {toolPartsProblem}"
                        : toolParts is { Length: > ProtocolLimits.MaxBinaryParts } ? $"the tool call carries {toolParts.Length} binary parts, more than {ProtocolLimits.MaxBinaryParts}"
                        : null,
                };
            default:
                return new UnknownFrame();
        }
    }

    /// <summary>The ready frame's protocol version as sent (a number or a "major.minor" string); its meaning is <see cref="BridgeProtocolVersion"/>'s.</summary>
    private static string ReadVersion(ref Utf8JsonReader reader)
    {
        Expect(reader.TokenType is JsonTokenType.Number or JsonTokenType.String, "protocol is not a version number or string");
        Expect(reader.ValueSpan.Length <= BridgeProtocolVersion.MaxLength, $"protocol is longer than {BridgeProtocolVersion.MaxLength} characters");
        return reader.TokenType == JsonTokenType.Number ? Encoding.UTF8.GetString(reader.ValueSpan) : ReadText(ref reader);
    }

    /// <summary>A "parts" field: the byte lengths of the binary parts after the envelope, each a whole number 0 or more.</summary>
    private static List<int> ReadPartLengths(ref Utf8JsonReader reader)
    {
        Expect(reader.TokenType == JsonTokenType.StartArray, "parts is not a list of part lengths");
        var lengths = new List<int>();
        while (Next(ref reader) != JsonTokenType.EndArray)
        {
            Expect(reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var length) && length >= 0,
                "parts is not a list of part lengths (whole numbers, 0 or more)");
            lengths.Add(reader.GetInt32());
        }

        return lengths;
    }

    /// <summary>ValueTextEquals, except that an escaped lone surrogate is a mismatch instead of an exception.</summary>
    private static bool Is(ref Utf8JsonReader reader, ReadOnlySpan<byte> text)
    {
        if (!reader.ValueIsEscaped)
        {
            return reader.ValueSpan.SequenceEqual(text);
        }

        try
        {
            return reader.ValueTextEquals(text);
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static JsonTokenType Next(ref Utf8JsonReader reader)
    {
        Expect(reader.Read(), "the frame ends inside the envelope");
        return reader.TokenType;
    }

    private static void Expect(bool condition, string problem)
    {
        if (!condition)
        {
            throw new FrameFormatException(problem);
        }
    }

    private static long ReadInt64(ref Utf8JsonReader reader, string field)
    {
        if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out var value))
        {
            throw new FrameFormatException($"{field} is not a whole number");
        }

        return value;
    }

    private static int ReadInt32(ref Utf8JsonReader reader, string field)
    {
        if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt32(out var value))
        {
            throw new FrameFormatException($"{field} is not a 32-bit whole number");
        }

        return value;
    }

    private static string? ReadOptionalText(ref Utf8JsonReader reader, string field)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        Expect(reader.TokenType == JsonTokenType.String, $"{field} is not a string");
        return ReadText(ref reader);
    }

    /// <summary>A string token's text; lone surrogates and invalid UTF-8 become U+FFFD instead of throwing.</summary>
    private static string ReadText(ref Utf8JsonReader reader)
    {
        if (!reader.ValueIsEscaped && Utf8.IsValid(reader.ValueSpan))
        {
            return Encoding.UTF8.GetString(reader.ValueSpan);
        }

        return JsonStringText.Decode(reader.ValueSpan);
    }

    private static List<string> ReadTextList(ref Utf8JsonReader reader, string field)
    {
        Expect(reader.TokenType == JsonTokenType.StartArray, $"{field} is not an array");
        var items = new List<string>();
        while (Next(ref reader) != JsonTokenType.EndArray)
        {
            Expect(reader.TokenType == JsonTokenType.String, $"{field} holds a value that is not a string");
            items.Add(ReadText(ref reader));
        }

        return items;
    }

    /// <summary>The current value's exact JSON text and its nesting depth (0 for a scalar).</summary>
    private static (string Json, int Depth) SliceValue(ref Utf8JsonReader reader, ReadOnlySpan<byte> envelope)
    {
        var start = (int)reader.TokenStartIndex;
        var depth = SkipValue(ref reader);
        var slice = envelope[start..(int)reader.BytesConsumed];
        Expect(Utf8.IsValid(slice), "a value is not valid UTF-8");
        return (Encoding.UTF8.GetString(slice), depth);
    }

    /// <summary>Moves past the current value; returns how deep it nests (1 for <c>[]</c>, 0 for a scalar).</summary>
    private static int SkipValue(ref Utf8JsonReader reader)
    {
        if (reader.TokenType is not (JsonTokenType.StartObject or JsonTokenType.StartArray))
        {
            return 0;
        }

        var baseDepth = reader.CurrentDepth;
        var deepest = 1;
        while (true)
        {
            var token = Next(ref reader);
            if (token is JsonTokenType.StartObject or JsonTokenType.StartArray)
            {
                deepest = Math.Max(deepest, reader.CurrentDepth - baseDepth + 1);
            }
            else if (token is JsonTokenType.EndObject or JsonTokenType.EndArray && reader.CurrentDepth == baseDepth)
            {
                return deepest;
            }
        }
    }

    private static BridgeFrameType ParseType(ref Utf8JsonReader reader)
    {
        // One name per line, tried in this order (a conditional chain: the style rule wants braces on every if).
        return Is(ref reader, "result"u8) ? BridgeFrameType.Result
            : Is(ref reader, "error"u8) ? BridgeFrameType.Error
            : Is(ref reader, "item"u8) ? BridgeFrameType.Item
            : Is(ref reader, "heartbeat"u8) ? BridgeFrameType.Heartbeat
            : Is(ref reader, "ready"u8) ? BridgeFrameType.Ready
            : Is(ref reader, "fatal"u8) ? BridgeFrameType.Fatal
            : Is(ref reader, "protocol_error"u8) ? BridgeFrameType.ProtocolError
            : Is(ref reader, "tool_call"u8) ? BridgeFrameType.ToolCall
            : Is(ref reader, "list_tools"u8) ? BridgeFrameType.ListTools
            : Is(ref reader, "chunk_credit"u8) ? BridgeFrameType.ChunkCredit
            : BridgeFrameType.Unknown;
    }

    private static CallError ParseError(ref Utf8JsonReader reader)
    {
        string? kind = null, pythonType = null, message = null, traceback = null;
        while (Next(ref reader) == JsonTokenType.PropertyName)
        {
            var isKind = Is(ref reader, "kind"u8);
            var isType = Is(ref reader, "type"u8);
            var isMessage = Is(ref reader, "message"u8);
            var isTraceback = Is(ref reader, "traceback"u8);
            Next(ref reader);
            var value = reader.TokenType == JsonTokenType.String ? ReadText(ref reader) : null;
            SkipValue(ref reader);
            if (isKind)
            {
                kind = value;
            }
            else if (isType)
            {
                pythonType = value;
            }
            else if (isMessage)
            {
                message = value;
            }
            else if (isTraceback)
            {
                traceback = value;
            }
        }

        Expect(reader.TokenType == JsonTokenType.EndObject, "the error has a value where a field name belongs");
        return new CallError(BridgeErrorKinds.Parse(kind), message ?? "(no message)", pythonType, traceback);
    }
}

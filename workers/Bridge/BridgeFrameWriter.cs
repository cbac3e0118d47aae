using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace DSPex.Orleans.Workers.Bridge;

/// <summary>
/// Encodes frames to the bridge, one method per frame type of protocol.json's "frames_to_bridge" (call, cancel, credit,
/// heartbeat, tool_result): a 4-byte big-endian length, then the JSON envelope. The envelope is written
/// straight into one reused buffer and sent with a single write, and the caller's JSON is copied in raw and checked
/// in place (<see cref="CallerJson"/>), never parsed into objects. Not thread-safe: the owner serialises writes, and
/// disposes it only once no write can follow (<see cref="BridgeConnection"/> does so under its write lock, once closed).
/// </summary>
internal sealed class BridgeFrameWriter : IDisposable
{
    // A buffer grown past this by a big frame is dropped once that frame is sent, so one big request does not pin
    // its memory for the life of the worker.
    private const int RetainedBufferBytes = 256 * 1024;

    private readonly Utf8JsonWriter _json;
    private readonly int _maxFrameBytes;
    private ArrayBufferWriter<byte> _buffer = new(4096);

    public BridgeFrameWriter(int maxFrameBytes)
    {
        _maxFrameBytes = maxFrameBytes;
        _json = new Utf8JsonWriter(_buffer, new JsonWriterOptions { SkipValidation = false });
    }

    /// <summary>
    /// Encodes a call. Throws <see cref="InvalidCallInputException"/> for input the protocol cannot carry (null, not one
    /// JSON value of the right kind, too deep, lone surrogates) and <see cref="FrameOverLimitException"/> past the limit,
    /// which is checked before the caller's text is copied.
    /// </summary>
    public ReadOnlyMemory<byte> Call(long id, string? command, string? argsJson, CallSession? session = null, CallProgram? program = null, int? streamCredit = null, CallTrace? trace = null,
        ReadOnlyMemory<byte>[]? parts = null, int? uploadWindow = null)
    {
        if (command is null)
        {
            throw new InvalidCallInputException("the command name is missing (null)");
        }

        if (argsJson is null)
        {
            throw new InvalidCallInputException($"the args of '{Shorten(command)}' are missing (null): send a JSON value");
        }

        var partBytes = BinaryParts.Size(parts);
        CheckFits(command, argsJson, session, program, trace, partBytes);
        CallerJson.CheckText(command, "the command name");
        CallerJson.CheckText(argsJson, "args");
        Begin();
        _json.WriteStartObject();
        _json.WriteNumber("id"u8, id);
        _json.WriteString("type"u8, "call"u8);
        if (streamCredit is { } credit)
        {
            _json.WriteNumber("credit"u8, credit);
        }

        _json.WriteString("cmd"u8, command);
        _json.WritePropertyName("args"u8);
        WriteCallerValue(argsJson.Length == 0 ? "null" : argsJson, "args", mustBeObject: false);
        if (session is not null)
        {
            CallerJson.CheckText(session.SessionId ?? "", "the session id");
            CallerJson.CheckText(session.VariablesJson ?? "", "the session variables");
            _json.WriteStartObject("session"u8);
            _json.WriteString("id"u8, session.SessionId);
            _json.WritePropertyName("vars"u8);
            WriteCallerValue(session.VariablesJson ?? "", "the session variables", mustBeObject: true);
            _json.WriteEndObject();
        }

        if (program is not null)
        {
            CallerJson.CheckText(program.ProgramId ?? "", "the program id");
            CallerJson.CheckText(program.SpecJson ?? "", "the program spec");
            _json.WriteStartObject("program"u8);
            _json.WriteString("id"u8, program.ProgramId);
            _json.WriteNumber("rev"u8, program.Revision);
            _json.WritePropertyName("spec"u8);
            WriteCallerValue(program.SpecJson ?? "", "the program spec", mustBeObject: true);
            _json.WriteEndObject();
        }

        if (trace is { } context)
        {
            // Checked when the grains took it (Telemetry.TraceContext.From): version-00 traceparent, printable ASCII tracestate.
            _json.WriteStartObject("trace"u8);
            _json.WriteString("traceparent"u8, context.TraceParent);
            if (context.TraceState is { } state)
            {
                _json.WriteString("tracestate"u8, state);
            }

            _json.WriteEndObject();
        }

        if (uploadWindow is { } window)
        {
            _json.WriteNumber("upload"u8, window);
        }

        WritePartsAndEnd(parts, partBytes);
        return End();
    }

    /// <summary>
    /// Ends the envelope with its "parts" field (when there are any) and appends the separator and the parts;
    /// <see cref="FrameOverLimitException"/> when envelope and parts together pass the limit.
    /// </summary>
    private void WritePartsAndEnd(ReadOnlyMemory<byte>[]? parts, long partBytes)
    {
        if (parts is { Length: > 0 })
        {
            _json.WriteStartArray("parts"u8);
            foreach (var part in parts)
            {
                _json.WriteNumberValue(part.Length);
            }

            _json.WriteEndArray();
        }

        _json.WriteEndObject();
        if (parts is { Length: > 0 })
        {
            _json.Flush();
            if ((long)_buffer.WrittenCount - 4 + partBytes > _maxFrameBytes)
            {
                throw new FrameOverLimitException(_buffer.WrittenCount - 4L + partBytes, _maxFrameBytes);
            }

            BinaryParts.Append(_buffer, parts);
        }
    }

    /// <summary>
    /// A tool's answer to Python. The result JSON may come from a client, so it is checked as caller JSON (one value,
    /// depth, no lone surrogates): <see cref="InvalidCallInputException"/> when it is not, and
    /// <see cref="FrameOverLimitException"/> past the limit.
    /// </summary>
    public ReadOnlyMemory<byte> ToolResult(long id, long toolId, string resultJson, ReadOnlyMemory<byte>[]? parts = null)
    {
        var partBytes = BinaryParts.Size(parts);
        if ((long)resultJson.Length * 3 + 256 + partBytes > _maxFrameBytes && Encoding.UTF8.GetByteCount(resultJson) + 256L + partBytes > _maxFrameBytes)
        {
            throw new FrameOverLimitException(Encoding.UTF8.GetByteCount(resultJson) + 256L + partBytes, _maxFrameBytes);
        }

        if (parts is { Length: > ProtocolLimits.MaxBinaryParts })
        {
            throw new InvalidCallInputException($"the tool's result carries {parts.Length} binary parts, more than {ProtocolLimits.MaxBinaryParts}");
        }

        CallerJson.CheckText(resultJson, "the tool's result");
        Begin();
        _json.WriteStartObject();
        _json.WriteNumber("id"u8, id);
        _json.WriteString("type"u8, "tool_result"u8);
        _json.WriteNumber("tool_id"u8, toolId);
        _json.WritePropertyName("result"u8);
        WriteCallerValue(resultJson, "the tool's result", mustBeObject: false, readableByPython: true);
        WritePartsAndEnd(parts, partBytes);
        return End();
    }

    /// <summary>A failed tool call's answer; its text is bounded by the caller, so it always fits.</summary>
    public ReadOnlyMemory<byte> ToolError(long id, long toolId, string kind, string type, string message)
    {
        Begin();
        _json.WriteStartObject();
        _json.WriteNumber("id"u8, id);
        _json.WriteString("type"u8, "tool_result"u8);
        _json.WriteNumber("tool_id"u8, toolId);
        _json.WriteStartObject("error"u8);
        _json.WriteString("kind"u8, kind);
        _json.WriteString("type"u8, WithoutLoneSurrogates(type));
        _json.WriteString("message"u8, WithoutLoneSurrogates(message));
        _json.WriteEndObject();
        _json.WriteEndObject();
        return End();
    }

    /// <summary>A cancel frame: the caller gave up on call <paramref name="id"/>.</summary>
    public ReadOnlyMemory<byte> Cancel(long id) => Control(id, "cancel"u8);

    /// <summary>A credit frame: streaming call <paramref name="id"/> may send <paramref name="n"/> more items.</summary>
    public ReadOnlyMemory<byte> Credit(long id, int n) => Control(id, "credit"u8, n);

    /// <summary>
    /// One chunk of upload call <paramref name="id"/>: its bytes as the frame's one binary part (id first, so the bridge
    /// can name the upload even when it cannot read the rest). <see cref="FrameOverLimitException"/> past the limit.
    /// </summary>
    public ReadOnlyMemory<byte> Chunk(long id, ReadOnlyMemory<byte> data)
    {
        Begin();
        _json.WriteStartObject();
        _json.WriteNumber("id"u8, id);
        _json.WriteString("type"u8, "chunk"u8);
        _json.WriteStartArray("parts"u8);
        _json.WriteNumberValue(data.Length);
        _json.WriteEndArray();
        _json.WriteEndObject();
        _json.Flush();
        if ((long)_buffer.WrittenCount - 4 + 1 + data.Length > _maxFrameBytes)
        {
            throw new FrameOverLimitException(_buffer.WrittenCount - 4L + 1 + data.Length, _maxFrameBytes);
        }

        BinaryParts.Append(_buffer, [data]);
        return End();
    }

    /// <summary>Upload call <paramref name="id"/> sends no more chunks: whole, or failed for <paramref name="error"/> (silo text, bounded).</summary>
    public ReadOnlyMemory<byte> ChunksEnd(long id, string? error)
    {
        Begin();
        _json.WriteStartObject();
        _json.WriteNumber("id"u8, id);
        _json.WriteString("type"u8, "chunks_end"u8);
        if (error is not null)
        {
            _json.WriteString("error"u8, WithoutLoneSurrogates(error));
        }

        _json.WriteEndObject();
        return End();
    }

    /// <summary>A heartbeat frame, answered by the bridge's reader with a heartbeat of the same id.</summary>
    public ReadOnlyMemory<byte> Heartbeat(long id) => Control(id, "heartbeat"u8);

    private ReadOnlyMemory<byte> Control(long id, ReadOnlySpan<byte> type, int? n = null)
    {
        Begin();
        _json.WriteStartObject();
        _json.WriteNumber("id"u8, id);
        _json.WriteString("type"u8, type);
        if (n is { } count)
        {
            _json.WriteNumber("n"u8, count);
        }

        _json.WriteEndObject();
        return End();
    }

    /// <summary>Bytes the writer holds on to between frames.</summary>
    public int BufferCapacity => _buffer.Capacity;

    /// <summary>Drops a buffer a big frame grew; call once that frame is written (or failed to be).</summary>
    public void ReleaseLargeBuffer()
    {
        if (_buffer.Capacity > RetainedBufferBytes)
        {
            _buffer = new ArrayBufferWriter<byte>(4096);
            _json.Reset(_buffer);
        }
    }

    /// <summary>Frees the JSON writer; an encode afterwards throws <see cref="ObjectDisposedException"/>, so the owner must make none.</summary>
    public void Dispose() => _json.Dispose();

    /// <summary>Refuses a request whose caller text alone is past the limit, before any of it is copied.</summary>
    private void CheckFits(string command, string argsJson, CallSession? session, CallProgram? program, CallTrace? trace, long partBytes)
    {
        const int maxBytesPerChar = 3; // UTF-8 of one UTF-16 unit
        // The fixed fields around the caller's text, and the trace context (ASCII, bounded) when there is one.
        var envelopeBytes = 256 + (trace is { } context ? 64 + context.TraceParent.Length + (context.TraceState?.Length ?? 0) : 0) + partBytes;
        long chars = command.Length + argsJson.Length + (session?.SessionId?.Length ?? 0) + (session?.VariablesJson?.Length ?? 0)
            + (program?.ProgramId?.Length ?? 0) + (program?.SpecJson?.Length ?? 0);
        if (envelopeBytes + (chars * maxBytesPerChar) <= _maxFrameBytes)
        {
            return; // fits whatever the text holds: no need to count its bytes
        }

        long length = envelopeBytes + ByteCount(command) + ByteCount(argsJson);
        if (session is not null)
        {
            length += ByteCount(session.SessionId) + ByteCount(session.VariablesJson);
        }

        if (program is not null)
        {
            length += ByteCount(program.ProgramId) + ByteCount(program.SpecJson);
        }

        if (length > _maxFrameBytes)
        {
            throw new FrameOverLimitException(length, _maxFrameBytes);
        }
    }

    // Escapes can make the written form longer, never shorter; End() checks the exact length.
    private static long ByteCount(string? text) => text is null ? 0 : Encoding.UTF8.GetByteCount(text);

    private void WriteCallerValue(string json, string what, bool mustBeObject, bool readableByPython = false)
    {
        _json.Flush();
        var start = _buffer.WrittenCount;
        try
        {
            _json.WriteRawValue(json, skipInputValidation: true);
        }
        catch (ArgumentException)
        {
            // Even unchecked, the writer refuses text with no JSON token at all.
            throw new InvalidCallInputException($"{what} is empty, not a JSON value");
        }

        _json.Flush();
        CallerJson.Check(_buffer.WrittenSpan[start..], what, mustBeObject, readableByPython: readableByPython);
    }

    // Encoding.UTF8 replaces a lone surrogate with U+FFFD, which the JSON writer would refuse.
    private static string WithoutLoneSurrogates(string text) => Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(text));

    private static string Shorten(string text) => text.Length <= 100 ? text : text[..100] + "…";

    private void Begin()
    {
        ReleaseLargeBuffer();
        _buffer.ResetWrittenCount();
        _json.Reset();
        _buffer.Advance(4); // room for the length prefix
    }

    private ReadOnlyMemory<byte> End()
    {
        _json.Flush();
        var frame = _buffer.WrittenMemory;
        var length = frame.Length - 4;
        if (length > _maxFrameBytes)
        {
            throw new FrameOverLimitException(length, _maxFrameBytes);
        }

        BinaryPrimitives.WriteInt32BigEndian(MemoryMarshal.AsMemory(frame).Span, length);
        return frame;
    }
}

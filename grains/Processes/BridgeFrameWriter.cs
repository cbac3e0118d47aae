using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text.Json;
using DSPex.Orleans.Contracts;

namespace DSPex.Orleans.Processes;

/// <summary>
/// Encodes frames to the bridge: a 4-byte big-endian length, then the JSON envelope. The envelope is written
/// straight into one reused buffer and sent with a single write, and the caller's args are copied in as raw JSON
/// (validated, never parsed into objects). Not thread-safe: the owner serialises writes.
/// </summary>
internal sealed class BridgeFrameWriter
{
    private readonly ArrayBufferWriter<byte> _buffer = new(4096);
    private readonly Utf8JsonWriter _json;
    private readonly int _maxFrameBytes;

    public BridgeFrameWriter(int maxFrameBytes)
    {
        _maxFrameBytes = maxFrameBytes;
        _json = new Utf8JsonWriter(_buffer, new JsonWriterOptions { SkipValidation = false });
    }

    /// <summary>Encodes a call. Throws <see cref="JsonException"/> when args is not JSON and <see cref="FrameTooLargeException"/> past the limit.</summary>
    public ReadOnlyMemory<byte> Call(long id, string command, string argsJson, SessionCallContext? session = null, ProgramCall? program = null, int? streamCredit = null)
    {
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
        _json.WriteRawValue(argsJson.Length == 0 ? "null" : argsJson);
        if (session is not null)
        {
            _json.WriteStartObject("session"u8);
            _json.WriteString("id"u8, session.SessionId);
            _json.WritePropertyName("vars"u8);
            _json.WriteRawValue(session.VariablesJson, skipInputValidation: true);
            _json.WriteEndObject();
        }

        if (program is not null)
        {
            _json.WriteStartObject("program"u8);
            _json.WriteString("id"u8, program.ProgramId);
            _json.WriteNumber("rev"u8, program.Revision);
            _json.WritePropertyName("spec"u8);
            _json.WriteRawValue(program.SpecJson, skipInputValidation: true);
            _json.WriteEndObject();
        }

        _json.WriteEndObject();
        return End();
    }

    public ReadOnlyMemory<byte> Control(long id, ReadOnlySpan<byte> type, int? n = null)
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

    private void Begin()
    {
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
            throw new FrameTooLargeException(length, _maxFrameBytes);
        }

        BinaryPrimitives.WriteInt32BigEndian(MemoryMarshal.AsMemory(frame).Span, length);
        return frame;
    }
}

internal sealed class FrameTooLargeException(int length, int limit)
    : Exception($"request frame of {length} bytes exceeds the limit of {limit} bytes");

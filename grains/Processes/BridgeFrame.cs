using System.Text;
using System.Text.Json;
using DSPex.Orleans.Contracts;

namespace DSPex.Orleans.Processes;

internal enum BridgeFrameType
{
    Unknown,
    Ready,
    Item,
    Fatal,
    Result,
    Error,
    Heartbeat,
    ProtocolError,
}

/// <summary>
/// A decoded frame from the bridge. The result (or stream item) is kept as the exact JSON text Python wrote: the envelope is
/// scanned with a forward-only reader and the result slice is sliced out, not parsed into a DOM.
/// </summary>
internal readonly record struct BridgeFrame(
    BridgeFrameType Type,
    long Id,
    string? ResultJson,
    string? SessionJson,
    ExecuteError? Error,
    string? Message,
    int Pid,
    int ProcessGroupId,
    IReadOnlyList<string>? Commands)
{
    public static BridgeFrame Parse(ReadOnlySpan<byte> envelope)
    {
        var reader = new Utf8JsonReader(envelope);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("frame is not a JSON object");
        }

        var type = BridgeFrameType.Unknown;
        long id = -1;
        string? result = null, session = null, message = null;
        ExecuteError? error = null;
        int pid = 0, pgid = 0;
        List<string>? commands = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("id"u8))
            {
                reader.Read();
                id = reader.TokenType == JsonTokenType.Number ? reader.GetInt64() : -1;
            }
            else if (reader.ValueTextEquals("type"u8))
            {
                reader.Read();
                type = ParseType(ref reader);
            }
            else if (reader.ValueTextEquals("result"u8) || reader.ValueTextEquals("item"u8))
            {
                reader.Read();
                var start = (int)reader.TokenStartIndex;
                reader.Skip();
                result = Encoding.UTF8.GetString(envelope[start..(int)reader.BytesConsumed]);
            }
            else if (reader.ValueTextEquals("session"u8))
            {
                reader.Read();
                var start = (int)reader.TokenStartIndex;
                reader.Skip();
                session = Encoding.UTF8.GetString(envelope[start..(int)reader.BytesConsumed]);
            }
            else if (reader.ValueTextEquals("error"u8))
            {
                reader.Read();
                error = ParseError(ref reader);
            }
            else if (reader.ValueTextEquals("message"u8))
            {
                reader.Read();
                message = reader.GetString();
            }
            else if (reader.ValueTextEquals("pid"u8))
            {
                reader.Read();
                pid = reader.GetInt32();
            }
            else if (reader.ValueTextEquals("pgid"u8))
            {
                reader.Read();
                pgid = reader.GetInt32();
            }
            else if (reader.ValueTextEquals("commands"u8))
            {
                reader.Read();
                commands = [];
                while (reader.Read() && reader.TokenType == JsonTokenType.String)
                {
                    commands.Add(reader.GetString()!);
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return new BridgeFrame(type, id, result, session, error, message, pid, pgid, commands);
    }

    private static BridgeFrameType ParseType(ref Utf8JsonReader reader)
    {
        if (reader.ValueTextEquals("result"u8)) return BridgeFrameType.Result;
        if (reader.ValueTextEquals("error"u8)) return BridgeFrameType.Error;
        if (reader.ValueTextEquals("item"u8)) return BridgeFrameType.Item;
        if (reader.ValueTextEquals("heartbeat"u8)) return BridgeFrameType.Heartbeat;
        if (reader.ValueTextEquals("ready"u8)) return BridgeFrameType.Ready;
        if (reader.ValueTextEquals("fatal"u8)) return BridgeFrameType.Fatal;
        if (reader.ValueTextEquals("protocol_error"u8)) return BridgeFrameType.ProtocolError;
        return BridgeFrameType.Unknown;
    }

    private static ExecuteError ParseError(ref Utf8JsonReader reader)
    {
        string? kind = null, pythonType = null, message = null, traceback = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString();
            reader.Read();
            var value = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
            if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
            {
                reader.Skip();
            }

            switch (name)
            {
                case "kind": kind = value; break;
                case "type": pythonType = value; break;
                case "message": message = value; break;
                case "traceback": traceback = value; break;
            }
        }

        var errorKind = Enum.TryParse<DSPexErrorKind>(kind, out var parsed) ? parsed : DSPexErrorKind.PythonException;
        return new ExecuteError(errorKind, message ?? "(no message)", pythonType, traceback);
    }
}

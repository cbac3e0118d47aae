using System.Text;
using CsCheck;
using DSPex.Orleans.Workers.Bridge;

namespace DSPex.Orleans.UnitTests.Protocol;

/// <summary>
/// Whatever bytes a worker writes as a frame, the silo's parser gives a frame or a <see cref="FrameFormatException"/>,
/// never another exception (which on the reader thread would end the silo). Seeded: DSPEX_TEST_SEED replays a run.
/// </summary>
[Trait("Category", "Unit")]
public sealed class BridgeFrameParseTests
{
    private static BridgeFrame? ParseOrMalformed(byte[] envelope)
    {
        try
        {
            return BridgeFrame.Parse(envelope);
        }
        catch (FrameFormatException)
        {
            return null;
        }
    }

    private static BridgeFrame Parse(string envelope) => BridgeFrame.Parse(Encoding.UTF8.GetBytes(envelope));

    private static void AssertNoLoneSurrogates(string? text)
    {
        if (text is not null)
        {
            Assert.True(Encoding.UTF8.GetByteCount(text) == new UTF8Encoding(false, true).GetByteCount(text), $"lone surrogate in: {text}");
        }
    }

    [Fact]
    public void Random_envelopes_parse_or_are_malformed_and_their_text_is_valid_unicode() =>
        ProtocolGen.Envelope.Sample(envelope =>
        {
            switch (ParseOrMalformed(Encoding.UTF8.GetBytes(envelope)))
            {
                case FatalFrame fatal:
                    AssertNoLoneSurrogates(fatal.Message);
                    break;
                case ProtocolErrorFrame rejected:
                    AssertNoLoneSurrogates(rejected.Message);
                    break;
                case ErrorFrame error:
                    AssertNoLoneSurrogates(error.Error.Message);
                    AssertNoLoneSurrogates(error.Error.Traceback);
                    break;
                case ReadyFrame ready:
                    Assert.All(ready.Commands, AssertNoLoneSurrogates);
                    break;
            }
        }, seed: ProtocolGen.Seed, iter: 20_000);

    [Fact]
    public void Mutated_envelopes_parse_or_are_malformed() =>
        ProtocolGen.Mutated(ProtocolGen.Envelope).Sample(bytes => { ParseOrMalformed(bytes); }, seed: ProtocolGen.Seed, iter: 20_000);

    [Fact]
    public void Random_bytes_parse_or_are_malformed() =>
        Gen.Byte.Array[0, 64].Sample(bytes => { ParseOrMalformed(bytes); }, seed: ProtocolGen.Seed, iter: 20_000);

    [Fact]
    public void A_result_python_writes_is_carried_exactly_or_is_a_typed_error_when_too_deep() =>
        Gen.Select(Gen.Long[0, long.MaxValue], ProtocolGen.Json(4)).Sample((id, value) =>
        {
            switch (Parse($$"""{"id":{{id}},"type":"result","result":{{value}}}"""))
            {
                case ResultFrame result:
                    Assert.Equal(id, result.Id);
                    Assert.Equal(value, result.ResultJson);
                    break;
                case var other:
                    var error = Assert.IsType<ErrorFrame>(other);
                    Assert.Equal(id, error.Id);
                    Assert.Equal(CallErrorKind.ResultNotSerializable, error.Error.Kind);
                    break;
            }
        }, seed: ProtocolGen.Seed, iter: 5_000);

    [Theory]
    [InlineData("""{"id":1.5,"type":"result","result":1}""", "id is not a whole number")]
    [InlineData("""{"id":1e30,"type":"result","result":1}""", "id is not a whole number")]
    [InlineData("""{"id":"1","type":"result","result":1}""", "id is not a whole number")]
    [InlineData("""{"type":"ready","pid":1e30}""", "pid is not a 32-bit whole number")]
    [InlineData("""{"type":"ready","pgid":"7"}""", "pgid is not a 32-bit whole number")]
    [InlineData("""{"type":["result"]}""", "type is not a string")]
    [InlineData("""{"type":"ready","commands":[1]}""", "commands holds a value that is not a string")]
    [InlineData("""{"type":"ready","commands":"ping"}""", "commands is not an array")]
    [InlineData("""{"id":1,"type":"error","error":"boom"}""", "error is not an object")]
    [InlineData("""{"id":1,"type":"error"}""", "an error frame without an error")]
    [InlineData("""{"id":1,"type":"result"}""", "a result frame without a result")]
    [InlineData("""{"id":1,"type":"result","item":1}""", "a result frame without a result")]
    [InlineData("""{"id":1,"type":"item","result":1}""", "an item frame without an item")]
    [InlineData("""{"id":1,"type":"tool_call","tool_id":1,"tool":"t"}""", "a tool_call frame without tool and args")]
    [InlineData("""{"type":"list_tools","tool_id":1}""", "a tool frame without its request id and tool_id")]
    [InlineData("""{"id":1,"type":"result","result":1} {}""", "")]
    [InlineData("""{"type":"fatal","message":42}""", "message is not a string")]
    [InlineData("""[1]""", "not a JSON object")]
    [InlineData("""{"id":1,"type":"result","result":[1""", "")]
    public void Frames_that_are_not_the_protocol_are_malformed_naming_why(string envelope, string problem)
    {
        var e = Assert.Throws<FrameFormatException>(() => Parse(envelope));
        Assert.Contains(problem, e.Message);
    }

    [Fact]
    public void An_escaped_lone_surrogate_in_an_error_message_is_carried_as_a_replacement_character()
    {
        var error = Assert.IsType<ErrorFrame>(Parse("""{"id":3,"type":"error","error":{"kind":"PythonException","type":"AttributeError","message":"no attribute '\ud800' \ud83d\ude00","traceback":"\udfff"}}""")).Error;
        Assert.Equal(CallErrorKind.PythonException, error.Kind);
        Assert.Equal("no attribute '\uFFFD' 😀", error.Message);
        Assert.Equal("\uFFFD", error.Traceback);
    }

    [Theory]
    [InlineData("WorkerCrashed")]
    [InlineData("None")]
    [InlineData("3")]
    [InlineData("pythonexception")]
    public void An_error_kind_the_bridge_may_not_give_is_a_python_exception(string kind)
    {
        var frame = Assert.IsType<ErrorFrame>(Parse($$$"""{"id":3,"type":"error","error":{"kind":"{{{kind}}}","message":"m"}}"""));
        Assert.Equal(CallErrorKind.PythonException, frame.Error.Kind);
    }

    [Theory]
    [InlineData(64, true)]
    [InlineData(65, false)]
    [InlineData(5000, false)]
    public void A_result_nested_past_the_protocol_depth_is_a_typed_error_not_a_broken_stream(int levels, bool carried)
    {
        var frame = Parse($$"""{"id":9,"type":"result","result":{{ProtocolGen.Nested(levels)}}}""");
        if (carried)
        {
            var result = Assert.IsType<ResultFrame>(frame);
            Assert.Equal(9, result.Id);
            Assert.Equal(ProtocolGen.Nested(levels), result.ResultJson);
        }
        else
        {
            var error = Assert.IsType<ErrorFrame>(frame);
            Assert.Equal(9, error.Id);
            Assert.Equal(CallErrorKind.ResultNotSerializable, error.Error.Kind);
            Assert.Contains($"nests {levels} levels deep", error.Error.Message);
        }
    }

    [Fact]
    public void A_session_variable_set_at_the_depth_a_session_can_store_is_carried()
    {
        var value = ProtocolGen.Nested(ProtocolLimits.MaxValueDepth - 1);
        var frame = Assert.IsType<ResultFrame>(Parse($$$"""{"id":9,"type":"result","result":1,"session":{"set":{"v":{{{value}}}},"deleted":[]}}"""));
        Assert.Equal($$$"""{"set":{"v":{{{value}}}},"deleted":[]}""", frame.SessionJson);
        var tooDeep = Assert.IsType<ErrorFrame>(Parse($$$"""{"id":9,"type":"result","result":1,"session":{"set":{"v":[{{{value}}}]},"deleted":[]}}"""));
        Assert.Equal(CallErrorKind.ResultNotSerializable, tooDeep.Error.Kind);
    }
}

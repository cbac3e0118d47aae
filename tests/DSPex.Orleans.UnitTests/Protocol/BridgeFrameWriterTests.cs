using System.Buffers.Binary;
using System.Text.Json;
using CsCheck;
using DSPex.Orleans.Workers.Bridge;

namespace DSPex.Orleans.UnitTests.Protocol;

/// <summary>
/// Whatever a caller sends as args, session variables or a program spec, the frame written to Python has exactly the
/// envelope the silo chose (no caller text adds or replaces a field), or the call is refused with a typed reason.
/// </summary>
[Trait("Category", "Unit")]
public sealed class BridgeFrameWriterTests
{
    private const int Limit = 64 * 1024;

    private static JsonElement Envelope(ReadOnlyMemory<byte> frame)
    {
        Assert.Equal(frame.Length - 4, BinaryPrimitives.ReadInt32BigEndian(frame.Span));
        using var document = JsonDocument.Parse(frame[4..], new JsonDocumentOptions { MaxDepth = 256 });
        return document.RootElement.Clone();
    }

    private static string[] FieldNames(JsonElement element) => [.. element.EnumerateObject().Select(p => p.Name)];

    private static readonly Gen<string> CallerText = Gen.OneOf(
        ProtocolGen.Json(4),
        ProtocolGen.Mutated(ProtocolGen.Json(3)).Select(b => System.Text.Encoding.UTF8.GetString(b)),
        Gen.Const("""1,"cmd":"evil" """), Gen.Const("""{"a":1},"id":5,"x":{"""), Gen.Const("""{"a":1}}, "session":{"id":"s"}"""),
        Gen.Const("\"\ud800\""), Gen.Const(" "), Gen.Const("/* c */ 1"), Gen.Const("[1,]"));

    [Fact]
    public void Any_args_give_exactly_the_envelope_or_a_typed_refusal() =>
        CallerText.Sample(args =>
        {
            var writer = new BridgeFrameWriter(Limit);
            try
            {
                var envelope = Envelope(writer.Call(7, "echo", args));
                Assert.Equal(["id", "type", "cmd", "args"], FieldNames(envelope));
                Assert.Equal(7, envelope.GetProperty("id").GetInt64());
                Assert.Equal("echo", envelope.GetProperty("cmd").GetString());
            }
            catch (InvalidCallInputException e)
            {
                Assert.Contains("args", e.Message);
            }
        }, seed: ProtocolGen.Seed, iter: 10_000);

    [Fact]
    public void Any_session_variables_and_program_spec_give_exactly_the_envelope_or_a_typed_refusal() =>
        Gen.Select(CallerText, CallerText).Sample((variables, spec) =>
        {
            var writer = new BridgeFrameWriter(Limit);
            try
            {
                var envelope = Envelope(writer.Call(8, "run", "{}", new CallSession("s1", variables), new CallProgram("p", 2, spec)));
                Assert.Equal(["id", "type", "cmd", "args", "session", "program"], FieldNames(envelope));
                Assert.Equal(["id", "vars"], FieldNames(envelope.GetProperty("session")));
                Assert.Equal(["id", "rev", "spec"], FieldNames(envelope.GetProperty("program")));
                Assert.Equal(JsonValueKind.Object, envelope.GetProperty("session").GetProperty("vars").ValueKind);
                Assert.Equal(JsonValueKind.Object, envelope.GetProperty("program").GetProperty("spec").ValueKind);
            }
            catch (InvalidCallInputException e)
            {
                Assert.Matches("session variables|program spec", e.Message);
            }
        }, seed: ProtocolGen.Seed, iter: 10_000);

    [Theory]
    [InlineData(64, true)]
    [InlineData(65, false)]
    public void Args_nested_to_the_protocol_depth_are_written_and_one_level_more_is_refused(int levels, bool written)
    {
        var writer = new BridgeFrameWriter(Limit);
        var args = ProtocolGen.Nested(levels);
        if (written)
        {
            Assert.Equal(args, Envelope(writer.Call(1, "echo", args)).GetProperty("args").GetRawText());
        }
        else
        {
            var e = Assert.Throws<InvalidCallInputException>(() => writer.Call(1, "echo", args));
            Assert.Contains("deeper than the protocol limit of 64 levels", e.Message);
        }
    }

    [Fact]
    public void Null_args_and_a_null_command_are_refused_not_a_null_reference()
    {
        var writer = new BridgeFrameWriter(Limit);
        Assert.Contains("missing", Assert.Throws<InvalidCallInputException>(() => writer.Call(1, "echo", null)).Message);
        Assert.Contains("missing", Assert.Throws<InvalidCallInputException>(() => writer.Call(1, null, "1")).Message);
    }

    [Theory]
    [InlineData("\"\\ud800\"")]
    [InlineData("{\"\\udc00\":1}")]
    public void Escaped_lone_surrogates_in_args_are_refused(string args)
    {
        var e = Assert.Throws<InvalidCallInputException>(() => new BridgeFrameWriter(Limit).Call(1, "echo", args));
        Assert.Contains("lone UTF-16 surrogate", e.Message);
    }

    [Fact]
    public void Lone_surrogates_in_a_command_name_or_raw_args_are_refused()
    {
        var writer = new BridgeFrameWriter(Limit);
        Assert.Throws<InvalidCallInputException>(() => writer.Call(1, "echo\ud800", "1"));
        Assert.Throws<InvalidCallInputException>(() => writer.Call(1, "echo", "\"\udfff\""));
        Assert.Equal("\"😀\"", Envelope(writer.Call(1, "echo", "\"😀\"")).GetProperty("args").GetRawText());
    }

    [Fact]
    public void Args_past_the_limit_are_refused_before_they_are_copied_and_a_big_frame_leaves_no_big_buffer()
    {
        var writer = new BridgeFrameWriter(Limit);
        var huge = "\"" + new string('x', 10 * Limit) + "\"";
        Assert.Throws<FrameOverLimitException>(() => writer.Call(1, "echo", huge));
        Assert.True(writer.BufferCapacity < Limit, $"buffer grew to {writer.BufferCapacity} for a refused request");

        var big = new BridgeFrameWriter(4 * 1024 * 1024);
        big.Call(2, "echo", "\"" + new string('y', 3 * 1024 * 1024) + "\"");
        big.ReleaseLargeBuffer();
        Assert.True(big.BufferCapacity <= 256 * 1024, $"buffer kept at {big.BufferCapacity} after the big frame was sent");
    }
}

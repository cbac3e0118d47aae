using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using CsCheck;
using DSPex.Orleans.Client;
using DSPex.Orleans.Client.Errors;
using DSPex.Orleans.Workers.Bridge;

namespace DSPex.Orleans.UnitTests.Protocol;

/// <summary>
/// Binary parts after the envelope (protocol.json "binary_parts"): the silo writes a call's parts raw after a 0x00, the
/// length prefix counting all of it; a result's parts are read back exactly; parts whose declared lengths lie fail that
/// call (ResultNotSerializable, naming the part) without breaking the stream; nothing else in a frame may follow the
/// envelope. The client's DSPexData/DSPexArray turn bytes and arrays into parts and back, and refuse a dtype, shape,
/// length or byte order they cannot read with a DSPexDataException naming the part.
/// </summary>
[Trait("Category", "Unit")]
public sealed class BinaryPartsTests
{
    private static byte[] Frame(string envelope, params byte[][] parts) =>
        parts.Length == 0 ? Encoding.UTF8.GetBytes(envelope) : [.. Encoding.UTF8.GetBytes(envelope), 0, .. parts.SelectMany(p => p)];

    [Fact]
    public void A_call_carries_its_parts_raw_after_the_envelope_and_the_length_counts_them()
    {
        var writer = new BridgeFrameWriter(64 * 1024);
        byte[] first = [0, 0xFF, 0x00, 7], second = [.. Enumerable.Range(0, 300).Select(i => (byte)i)];

        var frame = writer.Call(3, "echo", """{"a":{"$bytes":0},"b":{"$bytes":1}}""", parts: [first, second]).ToArray();

        Assert.Equal(frame.Length - 4, BinaryPrimitives.ReadInt32BigEndian(frame));
        var body = frame.AsSpan(4);
        var end = body.IndexOf((byte)0);
        using var envelope = JsonDocument.Parse(body[..end].ToArray());
        Assert.Equal([4, 300], envelope.RootElement.GetProperty("parts").EnumerateArray().Select(p => p.GetInt32()));
        Assert.Equal([.. first, .. second], body[(end + 1)..].ToArray());
    }

    [Fact]
    public void Parts_past_the_frame_limit_are_refused_before_they_are_written()
    {
        var writer = new BridgeFrameWriter(4096);
        Assert.Throws<FrameOverLimitException>(() => writer.Call(3, "echo", "null", parts: [new byte[4096]]));
        Assert.InRange(writer.Call(4, "echo", "null", parts: [new byte[4096 - 400]]).Length - 4, 4096 - 400, 4096);
    }

    [Fact]
    public void A_results_parts_are_read_exactly()
    {
        var frame = Assert.IsType<ResultFrame>(BridgeFrame.Parse(Frame("""{"id":5,"type":"result","result":{"$bytes":1},"parts":[2,0,3]}""", [1, 2], [], [0, 0, 9])));
        Assert.Equal("""{"$bytes":1}""", frame.ResultJson);
        Assert.Equal([[1, 2], [], [0, 0, 9]], frame.Parts!.Select(p => p.ToArray()));
    }

    [Theory]
    [InlineData("""{"id":5,"type":"result","result":null,"parts":[2,10]}""", "part 1 declares 10 bytes but only 1 remain")]
    [InlineData("""{"id":5,"type":"result","result":null,"parts":[1]}""", "parts declare 1 bytes but the frame carries 3")]
    [InlineData("""{"id":5,"type":"result","result":null}""", "parts declare 0 bytes but the frame carries 3")]
    public void Parts_whose_declared_lengths_lie_fail_that_call_naming_the_part(string envelope, string problem)
    {
        var error = Assert.IsType<ErrorFrame>(BridgeFrame.Parse(Frame(envelope, [1, 2, 3])));
        Assert.Equal(5, error.Id);
        Assert.Equal(CallErrorKind.ResultNotSerializable, error.Error.Kind);
        Assert.Contains(problem, error.Error.Message);
    }

    [Fact]
    public void Parts_declared_with_none_after_the_envelope_fail_that_call()
    {
        var error = Assert.IsType<ErrorFrame>(BridgeFrame.Parse(Frame("""{"id":5,"type":"result","result":null,"parts":[4]}""")));
        Assert.Contains("carries no parts", error.Error.Message);
    }

    [Fact]
    public void An_items_parts_are_read_exactly_as_a_downloads_chunk()
    {
        var frame = Assert.IsType<ItemFrame>(BridgeFrame.Parse(Frame("""{"id":5,"type":"item","item":{"$bytes":0},"parts":[3]}""", [0, 0xFF, 7])));
        Assert.Equal("""{"$bytes":0}""", frame.ItemJson);
        Assert.Equal([[0, 0xFF, 7]], frame.Parts!.Select(p => p.ToArray()));
    }

    [Theory]
    [InlineData("""{"id":5,"type":"item","item":null,"parts":[4]}""", "part 0 declares 4 bytes but only 3 remain")]
    [InlineData("""{"id":5,"type":"item","item":1}""", "parts declare 0 bytes but the frame carries 3")]
    public void An_items_parts_whose_lengths_lie_end_that_stream_naming_the_part(string envelope, string problem)
    {
        var error = Assert.IsType<ErrorFrame>(BridgeFrame.Parse(Frame(envelope, [1, 2, 3])));
        Assert.Equal(5, error.Id);
        Assert.Equal(CallErrorKind.ResultNotSerializable, error.Error.Kind);
        Assert.Contains("stream item", error.Error.Message);
        Assert.Contains(problem, error.Error.Message);
    }

    [Theory]
    [InlineData("heartbeat")]
    [InlineData("error")]
    public void Bytes_after_the_envelope_of_a_frame_that_carries_no_parts_are_a_malformed_frame(string type)
    {
        var envelope = $$$"""{"id":5,"type":"{{{type}}}","item":1,"error":{"kind":"Internal","type":null,"message":null,"traceback":null}}""";
        Assert.Throws<FrameFormatException>(() => BridgeFrame.Parse(Frame(envelope, [1])));
    }

    /// <summary>Generated result frames with parts whose lengths may lie: a result, or an error for that call; never anything else.</summary>
    [Fact]
    public void Generated_frames_with_parts_are_a_result_an_error_for_the_call_or_malformed() =>
        Gen.Select(Gen.Byte.Array[0, 16].Array[0, 4], Gen.Int[-2, 3].Array[0, 5], Gen.Bool, Gen.Byte.Array[0, 8])
            .Sample((parts, lies, separator, junk) =>
            {
                var declared = parts.Select((p, i) => p.Length + (i < lies.Length ? lies[i] : 0)).ToArray();
                var envelope = $$"""{"id":9,"type":"result","result":{"$bytes":0},"parts":[{{string.Join(",", declared)}}]}""";
                byte[] body = [.. Encoding.UTF8.GetBytes(envelope), .. separator ? [(byte)0] : junk, .. parts.SelectMany(p => p)];
                BridgeFrame? frame;
                try
                {
                    frame = BridgeFrame.Parse(body);
                }
                catch (FrameFormatException)
                {
                    return; // junk where the separator belongs: the frame is not the protocol
                }

                switch (frame)
                {
                    case ResultFrame result:
                        // Lengths that add up are read as declared: the same bytes, cut where the envelope says.
                        Assert.Equal(declared, (result.Parts ?? []).Select(p => p.Length));
                        // The separator follows the JSON text, which may end in whitespace (generated junk can be just that).
                        var separatorAt = Encoding.UTF8.GetByteCount(envelope);
                        while (separatorAt < body.Length && body[separatorAt] is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r')
                        {
                            separatorAt++;
                        }

                        Assert.Equal(body.Skip(separatorAt + 1), (result.Parts ?? []).SelectMany(p => p.ToArray()));
                        break;
                    case ErrorFrame error:
                        Assert.Equal(9, error.Id);
                        Assert.Equal(CallErrorKind.ResultNotSerializable, error.Error.Kind);
                        break;
                    default:
                        Assert.Fail($"a result frame read as {frame.GetType().Name}");
                        break;
                }
            }, seed: ProtocolGen.Seed, iter: 20_000);

    [Fact]
    public void Client_data_carries_bytes_and_arrays_as_parts_and_reads_them_back()
    {
        var data = DSPexData.From(new { Image = new BinaryData(new byte[] { 1, 2, 3 }), Raw = (ReadOnlyMemory<byte>)new byte[] { 9 }, Vector = DSPexArray.From([1.5f, -2f, 3f, 4f], 2, 2) });

        Assert.Equal("""{"image":{"$bytes":0},"raw":{"$bytes":1},"vector":{"$array":2,"dtype":"float32","byteorder":"little","shape":[2,2]}}""", data.Json);
        Assert.Equal(3, data.Parts.Count);
        var back = data.Read<Shape>()!;
        Assert.Equal([1, 2, 3], back.Image.ToArray());
        Assert.Equal([9], back.Raw.ToArray());
        Assert.Equal([2L, 2L], back.Vector.Shape);
        Assert.Equal([1.5f, -2f, 3f, 4f], back.Vector.ToArray<float>());
        Assert.Throws<DSPexDataException>(() => back.Vector.ToArray<double>());
    }

    private sealed record Shape(BinaryData Image, ReadOnlyMemory<byte> Raw, DSPexArray Vector);

    [Theory]
    [InlineData("""{"$array":0,"dtype":"complex64","byteorder":"little","shape":[1]}""", 8, "dtype 'complex64'")]
    [InlineData("""{"$array":0,"dtype":"uint8","byteorder":"little","shape":[4294967296,4294967296]}""", 1, "overflows 64 bits")]
    [InlineData("""{"$array":0,"dtype":"float32","byteorder":"little","shape":[3]}""", 8, "does not fit the part's 8 bytes")]
    [InlineData("""{"$array":0,"dtype":"float32","byteorder":"big","shape":[2]}""", 8, "big-endian")]
    [InlineData("""{"$array":0,"dtype":"float32","byteorder":"middle","shape":[2]}""", 8, "neither little nor big")]
    public void An_array_this_side_cannot_read_is_a_typed_error_naming_the_part(string reference, int bytes, string problem)
    {
        var data = new DSPexData(reference, [new byte[bytes]]);
        var error = Assert.Throws<DSPexDataException>(() => data.Read<DSPexArray>());
        Assert.Equal(0, error.Part);
        Assert.StartsWith("part 0: ", error.Message);
        Assert.Contains(problem, error.Message);
    }

    [Fact]
    public void A_reference_to_a_part_the_data_does_not_carry_is_a_typed_error()
    {
        var error = Assert.Throws<DSPexDataException>(() => new DSPexData("""{"$bytes":3}""", [new byte[1]]).Read<BinaryData>());
        Assert.Contains("part 3", error.Message);
    }
}

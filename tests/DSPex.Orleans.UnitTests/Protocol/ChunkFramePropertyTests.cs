using System.Globalization;
using System.Text;
using CsCheck;
using DSPex.Orleans.Workers.Bridge;

namespace DSPex.Orleans.UnitTests.Protocol;

/// <summary>
/// Generated upload frames (chunk, chunks_end, chunk_credit; protocol.json) as a bridge might send them to the silo:
/// well formed, with part lengths that lie, junk where the separator belongs or after it, fields of the wrong type,
/// and cut short at any byte. Each one either parses (a chunk_credit as exactly the credit it declares; chunk and
/// chunks_end are not frames a bridge sends, so at most an unknown frame) or throws FrameFormatException, the one
/// typed frame error that replaces the worker; never anything else (the reader thread must never die of a frame).
/// </summary>
[Trait("Category", "Unit")]
public sealed class ChunkFramePropertyTests
{
    private static readonly Gen<string> CreditValue = Gen.Frequency(
        (6, Gen.Int[-3, 64].Select(n => n.ToString(CultureInfo.InvariantCulture))),
        (1, Gen.OneOf(Gen.Const("2147483648"), Gen.Const("-2147483649"), Gen.Const("1.5"), Gen.Const("1e3"), Gen.Const("\"4\""),
            Gen.Const("null"), Gen.Const("[1]"), Gen.Const("{}"), Gen.Const(new string('9', 400)))));

    private static readonly Gen<string> IdValue = Gen.Frequency(
        (6, Gen.Long[0, 1L << 40].Select(n => n.ToString(CultureInfo.InvariantCulture))),
        (1, Gen.OneOf(Gen.Const("-1"), Gen.Const("null"), Gen.Const("\"7\""), Gen.Const("9223372036854775808"), Gen.Const("1.0"))));

    private static readonly Gen<string> TypeValue = Gen.OneOf(
        Gen.Const("chunk"), Gen.Const("chunks_end"), Gen.Const("chunk_credit"), Gen.Const("chunk_credit"), Gen.Const("chunk\\u005fcredit"));

    /// <summary>One generated frame body, and the credit a chunk_credit that parses must carry (null when its n is not a plain int32).</summary>
    private static readonly Gen<(byte[] Body, int? Credit, string Envelope)> Frames =
        Gen.Select(IdValue, TypeValue, CreditValue, Gen.Byte.Array[0, 12].Array[0, 3], Gen.Int[-2, 3].Array[0, 4], Gen.Bool, Gen.Bool)
            .SelectMany(t => Gen.Select(Gen.Byte.Array[0, 6], Gen.Int[0, 3], Gen.Bool, Gen.Int[0, 100]).Select(u =>
            {
                var (id, type, n, parts, lies, withParts, withError) = t;
                var (junk, separator, cut, cutAt) = u;
                var fields = new List<string> { $"\"id\":{id}", $"\"type\":\"{type}\"" };
                var withN = type.StartsWith("chunk_c", StringComparison.Ordinal) || cutAt % 7 == 0;
                if (withN)
                {
                    fields.Add($"\"n\":{n}");
                }

                if (withParts)
                {
                    fields.Add($"\"parts\":[{string.Join(",", parts.Select((p, i) => p.Length + (i < lies.Length ? lies[i] : 0)))}]");
                }

                if (withError)
                {
                    fields.Add("\"error\":\"the source ended early\"");
                }

                var envelope = "{" + string.Join(",", fields) + "}";
                byte[] tail = separator switch
                {
                    0 => [],                                        // no separator: parts declared, none carried
                    1 => [0, .. parts.SelectMany(p => p)],          // the layout binary_parts defines
                    2 => [.. junk, .. parts.SelectMany(p => p)],    // junk where the separator belongs
                    _ => [0, .. parts.SelectMany(p => p), .. junk], // junk after the parts
                };
                byte[] body = [.. Encoding.UTF8.GetBytes(envelope), .. tail];
                if (cut)
                {
                    body = body[..(body.Length * cutAt / 100)];
                }

                // Without n (a required field) a chunk_credit grants 0, which the upload's window refuses as malformed.
                int? credit = !withN ? 0 : int.TryParse(n, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var c) ? c : null;
                return (body, credit, envelope);
            }));

    [Fact]
    public void Generated_chunk_frames_parse_or_are_a_frame_format_error_and_nothing_else() =>
        Frames.Sample(frame =>
        {
            BridgeFrame parsed;
            try
            {
                parsed = BridgeFrame.Parse(frame.Body);
            }
            catch (FrameFormatException)
            {
                return; // not the protocol: the worker is replaced, the silo reads on
            }

            switch (parsed)
            {
                case ChunkCreditFrame credit:
                    // A chunk_credit that parses carries exactly the credit it declares, a whole int32.
                    Assert.Contains("chunk", frame.Envelope, StringComparison.Ordinal);
                    Assert.NotNull(frame.Credit);
                    Assert.Equal(frame.Credit, credit.Granted);
                    break;
                case UnknownFrame:
                    // chunk and chunks_end are the silo's frames: a bridge sending one is skipped as an unknown type.
                    Assert.DoesNotContain("\"chunk_credit\"", frame.Envelope, StringComparison.Ordinal);
                    break;
                default:
                    Assert.Fail($"a chunk frame read as {parsed.GetType().Name}: {frame.Envelope}");
                    break;
            }
        }, seed: ProtocolGen.Seed, iter: 20_000);

    [Fact]
    public void The_silos_own_chunk_frames_carry_the_chunk_exactly_and_declare_its_length()
    {
        // What the silo writes is what the generated frames vary: one part, its length declared, after one 0x00.
        Gen.Byte.Array[0, 2048].Sample(data =>
        {
            var writer = new BridgeFrameWriter(64 * 1024);
            var frame = writer.Chunk(12, data).ToArray().AsSpan(4);
            var at = frame.IndexOf((byte)0);
            Assert.Equal($$"""{"id":12,"type":"chunk","parts":[{{data.Length}}]}""", Encoding.UTF8.GetString(frame[..at]));
            Assert.Equal(data, frame[(at + 1)..].ToArray());
        }, seed: ProtocolGen.Seed, iter: 500);
    }
}

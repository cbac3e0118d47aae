using System.Buffers.Binary;
using System.Text;
using DSPex.Orleans.Processes;

namespace DSPex.Orleans.UnitTests.Processes;

/// <summary>
/// Cutting a worker's output into frames: batched reads hand out every whole frame a read brought, whatever the
/// pipe's chunking, and read per frame (the A/B arm) yields the same frames.
/// </summary>
[Trait("Category", "Unit")]
public sealed class ReplyFrameReaderTests
{
    private const int Limit = 1024 * 1024;

    [Fact]
    public void Frames_that_arrived_together_are_handed_out_from_one_read()
    {
        var frames = new[] { "a", "bb", "{\"type\":\"result\"}" };
        using var reader = new ReplyFrameReader(new MemoryStream(Framed(frames)), Limit, batched: true);

        Assert.Equal(frames, ReadAll(reader, frames.Length));
        Assert.Equal(1, reader.Reads);
    }

    [Fact]
    public void Per_frame_reads_a_header_then_a_body_for_every_frame()
    {
        var frames = new[] { "a", "bb", "ccc" };
        using var reader = new ReplyFrameReader(new MemoryStream(Framed(frames)), Limit, batched: false);

        Assert.Equal(frames, ReadAll(reader, frames.Length));
        Assert.Equal(6, reader.Reads);
    }

    [Theory]
    [InlineData(true, 1)]
    [InlineData(true, 3)]
    [InlineData(true, 4099)]
    [InlineData(false, 1)]
    [InlineData(false, 5)]
    public void Frames_split_anywhere_by_the_pipe_come_out_whole(bool batched, int chunk)
    {
        // Larger than the buffer (it grows for that frame and shrinks after), empty, and small ones around them.
        var frames = new[] { "x", new string('L', ReplyFrameReader.BufferBytes * 2 + 17), "", "after", new string('m', ReplyFrameReader.BufferBytes - 3), "z" };
        using var reader = new ReplyFrameReader(new TrickleStream(Framed(frames), chunk), Limit, batched);

        Assert.Equal(frames, ReadAll(reader, frames.Length));
    }

    [Fact]
    public void Random_frames_in_random_chunks_come_out_the_same_in_both_modes()
    {
        var seed = Environment.GetEnvironmentVariable("DSPEX_TEST_SEED") is { } s ? int.Parse(s, System.Globalization.CultureInfo.InvariantCulture) : Random.Shared.Next();
        var random = new Random(seed);
        for (var round = 0; round < 50; round++)
        {
            var frames = Enumerable.Range(0, random.Next(1, 40))
                .Select(_ => new string((char)('a' + random.Next(26)), random.Next(0, random.Next(2) == 0 ? 64 : ReplyFrameReader.BufferBytes + 1000)))
                .ToArray();
            var chunk = random.Next(1, 3 * ReplyFrameReader.BufferBytes);
            foreach (var batched in new[] { true, false })
            {
                using var reader = new ReplyFrameReader(new TrickleStream(Framed(frames), chunk), Limit, batched);
                Assert.True(frames.SequenceEqual(ReadAll(reader, frames.Length)), $"seed {seed}, round {round}, chunk {chunk}, batched {batched}");
            }
        }
    }

    [Theory]
    [InlineData(Limit + 1)]
    [InlineData(-1)]
    [InlineData(int.MaxValue)]
    public void A_length_outside_the_limit_is_refused_without_reading_its_body(int declared)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(bytes, declared);
        using var reader = new ReplyFrameReader(new MemoryStream([.. Framed(["ok"]), .. bytes]), Limit, batched: true);

        Assert.True(reader.TryReadFrame(out _, out _));
        Assert.False(reader.TryReadFrame(out _, out var length));
        Assert.Equal(declared, length);
    }

    [Fact]
    public void A_frame_of_exactly_the_limit_is_accepted()
    {
        var frame = new string('q', Limit);
        using var reader = new ReplyFrameReader(new TrickleStream(Framed([frame]), 70_000), Limit, batched: true);

        Assert.Equal([frame], ReadAll(reader, 1));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void The_end_of_the_output_mid_frame_or_between_frames_is_an_end_of_stream(bool batched)
    {
        var whole = Framed(["first", "second"]);
        using var cut = new ReplyFrameReader(new MemoryStream(whole[..^3]), Limit, batched);
        Assert.True(cut.TryReadFrame(out _, out _));
        Assert.Throws<EndOfStreamException>(() => cut.TryReadFrame(out _, out _));

        using var clean = new ReplyFrameReader(new MemoryStream(Framed(["only"])), Limit, batched);
        Assert.True(clean.TryReadFrame(out _, out _));
        Assert.Throws<EndOfStreamException>(() => clean.TryReadFrame(out _, out _));
    }

    private static List<string> ReadAll(ReplyFrameReader reader, int count)
    {
        var read = new List<string>();
        for (var i = 0; i < count; i++)
        {
            Assert.True(reader.TryReadFrame(out var envelope, out _));
            read.Add(Encoding.UTF8.GetString(envelope.Span));
        }

        return read;
    }

    private static byte[] Framed(IEnumerable<string> frames)
    {
        var output = new MemoryStream();
        foreach (var frame in frames)
        {
            var body = Encoding.UTF8.GetBytes(frame);
            var header = new byte[4];
            BinaryPrimitives.WriteInt32BigEndian(header, body.Length);
            output.Write(header);
            output.Write(body);
        }

        return output.ToArray();
    }

    /// <summary>A pipe that gives at most <paramref name="chunk"/> bytes per read, as a pipe may.</summary>
    private sealed class TrickleStream(byte[] bytes, int chunk) : MemoryStream(bytes)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, chunk));

        public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(buffer.Length, chunk)]);
    }
}

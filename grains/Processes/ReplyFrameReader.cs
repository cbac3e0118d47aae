using System.Buffers;
using System.Buffers.Binary;

namespace DSPex.Orleans.Processes;

/// <summary>
/// Cuts a worker's output into frames (4-byte big-endian length, then the envelope) for its reader thread. Batched,
/// each read takes whatever the pipe holds, up to the buffer, and every whole frame in it is handed out before the
/// next read: replies that arrived together cost one system call and one wake-up of the reader, and none waits for
/// another (a read returns as soon as any byte is there). Per frame (the A/B arm, <see cref="ReplyReads"/>), it reads
/// exactly a header, then exactly its body: two reads per frame, as the reader did before. Not thread-safe: its one
/// reader thread owns it.
/// </summary>
internal sealed class ReplyFrameReader : IDisposable
{
    /// <summary>What one read may take at most while no frame is larger; a larger frame grows the buffer for itself.</summary>
    internal const int BufferBytes = 64 * 1024;

    private readonly Stream _stream;
    private readonly int _maxLength;
    private readonly bool _batched;
    private readonly byte[] _small = new byte[BufferBytes];
    private byte[] _buffer;
    private int _start; // the first byte not yet handed out
    private int _end; // one past the last byte read

    /// <param name="stream">The worker's output.</param>
    /// <param name="maxLength">The largest envelope accepted; a longer declared length is refused, not read.</param>
    /// <param name="batched">Each read takes what the pipe holds (true), or exactly what the frame still lacks.</param>
    public ReplyFrameReader(Stream stream, int maxLength, bool batched)
    {
        _stream = stream;
        _maxLength = maxLength;
        _batched = batched;
        _buffer = _small;
    }

    /// <summary>Reads (system calls) made so far.</summary>
    public long Reads { get; private set; }

    /// <summary>
    /// The next frame's envelope, valid until the next call: blocks only when no whole frame is buffered. False when
    /// the frame declares a length outside 0..maxLength (<paramref name="declaredLength"/>): the stream is then out of
    /// step and must not be read on. Throws <see cref="EndOfStreamException"/> when the stream ends.
    /// </summary>
    public bool TryReadFrame(out ReadOnlyMemory<byte> envelope, out int declaredLength)
    {
        ReturnLargeBufferWhenEmpty();
        while (true)
        {
            var buffered = _end - _start;
            if (buffered >= 4)
            {
                declaredLength = BinaryPrimitives.ReadInt32BigEndian(_buffer.AsSpan(_start, 4));
                if (declaredLength < 0 || declaredLength > _maxLength)
                {
                    envelope = default;
                    return false;
                }

                var whole = 4 + declaredLength;
                if (buffered >= whole)
                {
                    envelope = _buffer.AsMemory(_start + 4, declaredLength);
                    _start += whole;
                    return true;
                }

                Fill(whole);
            }
            else
            {
                Fill(4);
            }
        }
    }

    public void Dispose()
    {
        if (!ReferenceEquals(_buffer, _small))
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = _small;
        }
    }

    /// <summary>Reads until at least <paramref name="needed"/> bytes from <see cref="_start"/> are buffered.</summary>
    private void Fill(int needed)
    {
        MakeRoom(needed);
        while (_end - _start < needed)
        {
            // Batched: whatever is there, up to the buffer's end. Per frame: only what this frame still lacks.
            var count = _batched ? _buffer.Length - _end : needed - (_end - _start);
            var read = _stream.Read(_buffer, _end, count);
            Reads++;
            if (read == 0)
            {
                throw new EndOfStreamException("the worker's output ended");
            }

            _end += read;
        }
    }

    /// <summary>Makes the buffer hold <paramref name="needed"/> bytes from its start: moves what is unread to the front, or grows it.</summary>
    private void MakeRoom(int needed)
    {
        if (_buffer.Length - _start >= needed)
        {
            return;
        }

        var buffered = _end - _start;
        var target = _buffer.Length >= needed ? _buffer : ArrayPool<byte>.Shared.Rent(needed);
        Buffer.BlockCopy(_buffer, _start, target, 0, buffered);
        if (!ReferenceEquals(target, _buffer) && !ReferenceEquals(_buffer, _small))
        {
            ArrayPool<byte>.Shared.Return(_buffer);
        }

        _buffer = target;
        _start = 0;
        _end = buffered;
    }

    /// <summary>
    /// A large frame's buffer goes back to the pool once everything in it was handed out (and so dispatched: the
    /// caller is back for the next frame), so a worker does not hold megabytes between large replies.
    /// </summary>
    private void ReturnLargeBufferWhenEmpty()
    {
        if (_start != _end)
        {
            return;
        }

        _start = _end = 0;
        if (!ReferenceEquals(_buffer, _small))
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = _small;
        }
    }
}

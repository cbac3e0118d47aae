using System.Buffers.Binary;
using System.IO.Pipes;
using System.Text;
using DSPex.Orleans.Workers.Bridge;
using Microsoft.Extensions.Logging.Abstractions;

namespace DSPex.Orleans.UnitTests.Processes;

/// <summary>
/// A <see cref="BridgeConnection"/> over an in-process pipe instead of a bridge's stdout: the test writes the frames
/// Python would, and reads back what the connection reported when it closed. No process is involved.
/// </summary>
internal sealed class ConnectionPipes : IDisposable
{
    public const int MaxFrameBytes = 64 * 1024;

    private readonly AnonymousPipeServerStream _python = new(PipeDirection.Out);
    private readonly AnonymousPipeClientStream _stdout;
    private readonly TaskCompletionSource<(CallErrorKind Kind, string Reason)> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <param name="stdin">What the connection writes to instead of <see cref="Stdin"/> (a pipe that fails, say).</param>
    public ConnectionPipes(Stream? stdin = null)
    {
        _stdout = new AnonymousPipeClientStream(PipeDirection.In, _python.ClientSafePipeHandle);
        Connection = new BridgeConnection(stdin ?? Stdin, _stdout, MaxFrameBytes, "unit-worker", 4242, NullLogger.Instance);
        Connection.Start((kind, reason) => _closed.TrySetResult((kind, reason)), e => _closed.TrySetException(e));
    }

    /// <summary>What the connection wrote towards Python.</summary>
    public MemoryStream Stdin { get; } = new();

    public BridgeConnection Connection { get; }

    /// <summary>What the reader thread reported when the stream ended.</summary>
    public Task<(CallErrorKind Kind, string Reason)> Closed => _closed.Task;

    public void Write(string envelope) => WriteRaw(Encoding.UTF8.GetBytes(envelope));

    public void WriteRaw(byte[] envelope, int? declaredLength = null)
    {
        var header = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(header, declaredLength ?? envelope.Length);
        _python.Write(header);
        _python.Write(envelope);
        _python.Flush();
    }

    /// <summary>Python's end of the pipe closes, as when the process exits.</summary>
    public void ClosePython() => _python.Dispose();

    public void Dispose()
    {
        _python.Dispose();
        _stdout.Dispose();
        Connection.Dispose();
    }
}

using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace DSPex.Orleans.Workers.Native;

/// <summary>
/// The write end of a pipe switched to O_NONBLOCK: a write takes what the pipe has room for and never waits, so a
/// thread that others wait on (a reader thread, a grain turn, the health loop) can hand a frame to the pipe without
/// ever blocking on a peer that stopped reading. The handle is reference-counted around every system call, so a
/// close on another thread can never make a write land on a reused descriptor.
/// </summary>
internal sealed partial class NonBlockingPipe
{
    private const int F_GETFL = 3;
    private const int F_SETFL = 4;
    private const int O_NONBLOCK = 0x800; // Linux
    private const int EAGAIN = 11;
    private const int EINTR = 4;
    private const short POLLOUT = 0x4;

    private readonly SafeHandle _handle;

    private NonBlockingPipe(SafeHandle handle) => _handle = handle;

    /// <summary>The pipe behind <paramref name="handle"/> made non-blocking, or null where it cannot be (not Linux, not a descriptor).</summary>
    public static NonBlockingPipe? TryOpen(SafePipeHandle handle)
    {
        if (!OperatingSystem.IsLinux() || handle.IsInvalid || handle.IsClosed)
        {
            return null;
        }

        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            var fd = (int)handle.DangerousGetHandle();
            var flags = Fcntl(fd, F_GETFL, 0);
            if (flags < 0 || Fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
            {
                return null;
            }

            return new NonBlockingPipe(handle);
        }
        catch (ObjectDisposedException)
        {
            return null;
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    /// <summary>Writes what fits now: the bytes written (0 when the pipe is full). Throws <see cref="IOException"/> when it is broken or closed.</summary>
    public unsafe int TryWrite(ReadOnlySpan<byte> bytes)
    {
        var added = false;
        try
        {
            _handle.DangerousAddRef(ref added);
            var fd = (int)_handle.DangerousGetHandle();
            fixed (byte* data = bytes)
            {
                while (true)
                {
                    var written = Write(fd, data, bytes.Length);
                    if (written >= 0)
                    {
                        return (int)written;
                    }

                    var errno = Marshal.GetLastPInvokeError();
                    if (errno == EAGAIN)
                    {
                        return 0;
                    }

                    if (errno != EINTR)
                    {
                        throw new IOException($"write to the pipe failed (errno {errno})");
                    }
                }
            }
        }
        catch (ObjectDisposedException e)
        {
            throw new IOException("the pipe is closed", e);
        }
        finally
        {
            if (added)
            {
                _handle.DangerousRelease();
            }
        }
    }

    /// <summary>Waits up to <paramref name="timeoutMs"/> for room in the pipe (or for it to break: the next write says which).</summary>
    public unsafe void WaitWritable(int timeoutMs)
    {
        var added = false;
        try
        {
            _handle.DangerousAddRef(ref added);
            var poll = new PollFd { Fd = (int)_handle.DangerousGetHandle(), Events = POLLOUT };
            _ = Poll(&poll, 1, timeoutMs);
        }
        catch (ObjectDisposedException e)
        {
            throw new IOException("the pipe is closed", e);
        }
        finally
        {
            if (added)
            {
                _handle.DangerousRelease();
            }
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int Fcntl(int fd, int command, int argument);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    private static unsafe partial nint Write(int fd, byte* buffer, nint count);

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    private static unsafe partial int Poll(PollFd* fds, nuint count, int timeoutMs);
}

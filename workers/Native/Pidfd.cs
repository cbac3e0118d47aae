using System.Runtime.InteropServices;

namespace DSPex.Orleans.Workers.Native;

/// <summary>
/// A pidfd names one process, not a pid number: signals sent through it can never reach a process that later got the
/// same pid. Linux 5.3 and later; <see cref="TryOpen"/> reports when the kernel lacks it.
/// </summary>
internal sealed partial class Pidfd : IDisposable
{
    private const long SysPidfdSendSignal = 424; // the same number on every architecture
    private const long SysPidfdOpen = 434;
    private const int ENOSYS = 38;
    private const int ESRCH = 3;
    private const short POLLIN = 1;

    private readonly int _fd;

    private Pidfd(int fd) => _fd = fd;

    public enum OpenResult { Opened, NoSuchProcess, Unsupported, Failed }

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static partial long SyscallOpen(long number, int pid, uint flags);

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static partial long SyscallSendSignal(long number, int pidfd, int signal, nint info, uint flags);

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    private static unsafe partial int Poll(PollFd* fds, nuint count, int timeoutMs);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    public static OpenResult TryOpen(int pid, out Pidfd? pidfd)
    {
        pidfd = null;
        var fd = SyscallOpen(SysPidfdOpen, pid, 0);
        if (fd >= 0)
        {
            pidfd = new Pidfd((int)fd);
            return OpenResult.Opened;
        }

        return Marshal.GetLastPInvokeError() switch
        {
            ESRCH => OpenResult.NoSuchProcess,
            ENOSYS => OpenResult.Unsupported,
            _ => OpenResult.Failed,
        };
    }

    /// <summary>False once the process has exited (ESRCH) or on another error.</summary>
    public bool Signal(int signal) => SyscallSendSignal(SysPidfdSendSignal, _fd, signal, 0, 0) == 0;

    /// <summary>A pidfd becomes readable when its process exits (zombies included): an event to wait on, not a poll loop.</summary>
    public unsafe bool WaitForExit(TimeSpan timeout)
    {
        var deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (true)
        {
            var entry = new PollFd { Fd = _fd, Events = POLLIN };
            var remaining = (int)Math.Max(0, deadline - Environment.TickCount64);
            var ready = Poll(&entry, 1, remaining);
            if (ready > 0)
            {
                return true;
            }

            if (ready == 0 || Marshal.GetLastPInvokeError() != 4 /* EINTR */ || remaining == 0)
            {
                return ready > 0;
            }
        }
    }

    // A failed close leaves nothing to do: on Linux the descriptor is released even when close reports EINTR or EIO,
    // and a pidfd has no buffered data to lose.
    public void Dispose() => _ = Close(_fd);
}

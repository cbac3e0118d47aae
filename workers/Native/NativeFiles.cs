using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace DSPex.Orleans.Workers.Native;

/// <summary>
/// File checks .NET does not offer: who owns a path, and opening one without following a link or blocking on a
/// FIFO. statx is used because its buffer has one layout on every architecture (struct stat does not).
/// </summary>
internal static partial class NativeFiles
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const int AtEmptyPath = 0x1000;
    private const uint StatxBasicStats = 0x7ff;
    private const int StatxBufferBytes = 256;
    private const int ENOENT = 2;
    private const int ENOTDIR = 20;
    private const int O_NONBLOCK = 0x800;
    private const int O_CLOEXEC = 0x80000;

    // O_NOFOLLOW is one of the few open flags whose value differs between architectures.
    private static readonly int O_NOFOLLOW = RuntimeInformation.ProcessArchitecture is Architecture.Arm or Architecture.Arm64 ? 0x8000 : 0x20000;

    public const int ELOOP = 40;

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEffectiveUserId();

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int Statx(int dirfd, string path, int flags, uint mask, byte* buffer);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    /// <summary>The uid this silo process acts as: what it may signal, and what it must own.</summary>
    public static uint EffectiveUserId { get; } = GetEffectiveUserId();

    /// <summary>The path itself (a symlink is reported as one, not followed); null when it does not exist.</summary>
    public static FileStatus? LinkStatus(string path) => Stat(AtFdCwd, path, AtSymlinkNoFollow);

    /// <summary>What the path leads to, links followed; null when it does not exist.</summary>
    public static FileStatus? Status(string path) => Stat(AtFdCwd, path, 0);

    /// <summary>The file an open handle refers to (fstat): the file that was opened, whatever the path names now.</summary>
    public static FileStatus Status(SafeFileHandle handle)
    {
        var added = false;
        handle.DangerousAddRef(ref added);
        try
        {
            return Stat((int)handle.DangerousGetHandle(), "", AtEmptyPath)
                ?? throw new IOException("fstat of an open file reported no such file");
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    /// <summary>
    /// Opens read-only with O_NOFOLLOW|O_NONBLOCK|O_CLOEXEC: a symlink fails (ELOOP) instead of being followed, and a
    /// FIFO opens at once instead of waiting for a writer. Null with the errno when it could not be opened.
    /// </summary>
    public static SafeFileHandle? OpenForReadingNoFollow(string path, out int errno)
    {
        var fd = Open(path, O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        errno = fd < 0 ? Marshal.GetLastPInvokeError() : 0;
        return fd < 0 ? null : new SafeFileHandle(fd, ownsHandle: true);
    }

    private static unsafe FileStatus? Stat(int dirfd, string path, int flags)
    {
        var buffer = stackalloc byte[StatxBufferBytes];
        if (Statx(dirfd, path, flags, StatxBasicStats, buffer) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            return errno is ENOENT or ENOTDIR
                ? null
                : throw new IOException($"statx({path}) failed: {Marshal.GetPInvokeErrorMessage(errno)}");
        }

        // struct statx: stx_uid at 20, stx_mode (u16) at 28, stx_size at 40.
        return new FileStatus(*(uint*)(buffer + 20), *(ushort*)(buffer + 28), *(long*)(buffer + 40));
    }
}

using DSPex.Orleans.Workers.Native;

namespace DSPex.Orleans.ProcessSafety;

/// <summary>
/// Creates and checks the folder registry files live in. Only files another user cannot have written may tell the
/// reaper what to signal, so the cluster folder and the state root above it must be directories (not links) owned by
/// this silo's uid and writable by it alone; every existing folder above them must be a directory owned by root or
/// this uid (a link on the way only if root or this uid owns it).
/// </summary>
internal static class StateDirectory
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>Ensures <paramref name="clusterDirectory"/> and its parent (the state root); throws <see cref="UnsafeStateDirectoryException"/>.</summary>
    public static void Ensure(string clusterDirectory) => Walk(clusterDirectory, create: true);

    /// <summary>
    /// The same rules as <see cref="Ensure"/> without creating anything (for `dspex doctor`): throws
    /// <see cref="UnsafeStateDirectoryException"/> where a folder breaks a rule; returns the first folder that is missing
    /// (the silo creates it and those below it 0700), or null when all exist.
    /// </summary>
    public static string? Inspect(string clusterDirectory) => Walk(clusterDirectory, create: false);

    private static string? Walk(string clusterDirectory, bool create)
    {
        if (OperatingSystem.IsWindows())
        {
            if (create)
            {
                Directory.CreateDirectory(clusterDirectory);
            }

            return null;
        }

        var full = Path.GetFullPath(clusterDirectory).TrimEnd('/');
        var parts = full.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var path = "";
        for (var i = 0; i < parts.Length; i++)
        {
            path += "/" + parts[i];
            var ownedByUs = i >= parts.Length - 2; // the state root and the cluster folder
            var status = NativeFiles.LinkStatus(path);
            if (status is null && !create)
            {
                return path;
            }

            if (status is null)
            {
                Create(path);
                status = NativeFiles.LinkStatus(path);
            }

            if (status is not { } found)
            {
                throw new UnsafeStateDirectoryException(path, "vanished right after it was created");
            }

            if (ownedByUs)
            {
                CheckOwned(path, found);
            }
            else
            {
                CheckAncestor(path, found);
            }
        }

        return null;
    }

    /// <summary>The default state root: per user, so users on one host never share it.</summary>
    public static string DefaultRoot() => Configuration.ProcessSafetyOptions.DefaultStateRoot();

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static void Create(string path)
    {
        try
        {
            // Every folder this creates, parents included, is owner-only.
            Directory.CreateDirectory(path, OwnerOnly);
        }
        catch (IOException)
        {
            // Another silo created it in between: it is checked like any existing folder.
        }
        catch (UnauthorizedAccessException e)
        {
            throw new UnsafeStateDirectoryException(path, $"could not be created ({e.Message})");
        }
    }

    private static void CheckOwned(string path, FileStatus status)
    {
        if (status.IsSymbolicLink)
        {
            throw new UnsafeStateDirectoryException(path, "is a symbolic link");
        }

        if (!status.IsDirectory)
        {
            throw new UnsafeStateDirectoryException(path, $"is a {status.TypeName}, not a directory");
        }

        if (status.OwnerUid != NativeFiles.EffectiveUserId)
        {
            throw new UnsafeStateDirectoryException(path, $"is owned by uid {status.OwnerUid}");
        }

        if (status.WritableByOthers)
        {
            throw new UnsafeStateDirectoryException(path, $"is writable by group or others (mode {status.Permissions})");
        }
    }

    private static void CheckAncestor(string path, FileStatus status)
    {
        if (status.IsSymbolicLink)
        {
            // A system link such as /var/run -> /run is fine; a link someone else could re-point is not.
            if (!IsRootOrUs(status.OwnerUid))
            {
                throw new UnsafeStateDirectoryException(path, $"is a symbolic link owned by uid {status.OwnerUid}");
            }

            status = NativeFiles.Status(path) ?? throw new UnsafeStateDirectoryException(path, "is a dangling symbolic link");
        }

        if (!status.IsDirectory)
        {
            throw new UnsafeStateDirectoryException(path, $"is a {status.TypeName}, not a directory");
        }

        if (!IsRootOrUs(status.OwnerUid))
        {
            throw new UnsafeStateDirectoryException(path, $"is owned by uid {status.OwnerUid}");
        }

        // A folder above may be writable by others without the sticky bit (a Kubernetes emptyDir mounted at /tmp is 0777):
        // someone could then swap the state root after this check, but every registry file is checked again when read
        // (regular, owned by this uid, opened without following links), so a swapped folder yields nothing trusted.
    }

    private static bool IsRootOrUs(uint uid) => uid == 0 || uid == NativeFiles.EffectiveUserId;
}

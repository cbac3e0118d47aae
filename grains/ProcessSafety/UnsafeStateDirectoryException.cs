using DSPex.Orleans.Workers.Native;

namespace DSPex.Orleans.ProcessSafety;

/// <summary>
/// The process-safety state directory (or one of its parents) could be changed by another user: registry files in
/// it could not be trusted, so the silo refuses to start rather than use it.
/// </summary>
public sealed class UnsafeStateDirectoryException(string path, string reason)
    : Exception($"Refusing the process-safety state directory: {path} {reason}. Set DSPex:ProcessSafety:StateDirectory to a directory owned by uid {NativeFiles.EffectiveUserId} and writable only by it (or remove this one so it is created 0700).")
{
    /// <summary>The directory that was refused.</summary>
    public string Path { get; } = path;
}

namespace DSPex.Orleans.Workers.Native;

/// <summary>Owner, type and permission bits of one file, as statx reports them.</summary>
internal readonly record struct FileStatus(uint OwnerUid, uint Mode, long Size)
{
    private const uint TypeMask = 0xF000;

    public bool IsRegularFile => (Mode & TypeMask) == 0x8000;

    public bool IsDirectory => (Mode & TypeMask) == 0x4000;

    public bool IsSymbolicLink => (Mode & TypeMask) == 0xA000;

    /// <summary>Group or others may write it (S_IWGRP | S_IWOTH).</summary>
    public bool WritableByOthers => (Mode & 0x12) != 0;

    public string TypeName => (Mode & TypeMask) switch
    {
        0x8000 => "regular file",
        0x4000 => "directory",
        0xA000 => "symbolic link",
        0x1000 => "FIFO",
        0xC000 => "socket",
        0x2000 => "character device",
        0x6000 => "block device",
        _ => "unknown file type",
    };

    public string Permissions => Convert.ToString(Mode & 0xFFF, 8).PadLeft(4, '0');
}

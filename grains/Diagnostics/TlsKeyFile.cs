namespace DSPex.Orleans.Diagnostics;

/// <summary>
/// Whether a TLS private key file is open to every user of the host. Anyone who reads it can pose as this silo (or
/// client) to the cluster. Group read is allowed: in Kubernetes the mounted Secret is made readable to the pod's
/// fsGroup (deploy/kubernetes). Both `dspex doctor` and the silo at start report it.
/// </summary>
internal static class TlsKeyFile
{
    /// <summary>Why the key file is exposed (readable or writable by others), or null when it is not or cannot be read.</summary>
    public static string? Exposure(string keyFile)
    {
        if (OperatingSystem.IsWindows())
        {
            return null;
        }

        UnixFileMode mode;
        try
        {
            // Follows links, as the silo does when it reads the key (a mounted Secret's files are links into ..data).
            mode = File.GetUnixFileMode(keyFile);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or PlatformNotSupportedException)
        {
            return null;
        }

        var exposed = mode & (UnixFileMode.OtherRead | UnixFileMode.OtherWrite);
        if (exposed == 0)
        {
            return null;
        }

        var how = exposed == (UnixFileMode.OtherRead | UnixFileMode.OtherWrite) ? "readable and writable" : exposed == UnixFileMode.OtherRead ? "readable" : "writable";
        return $"the private key '{keyFile}' is {how} by every user of this host (mode {Convert.ToString((int)mode & 0xFFF, 8).PadLeft(4, '0')}); make it 0600, or 0640 for the silo's group";
    }
}

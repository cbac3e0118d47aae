using System.Text.Json;
using DSPex.Orleans.Workers.Native;
using DSPex.Orleans.Workers.ProcessSafety;

namespace DSPex.Orleans.ProcessSafety;

/// <summary>
/// Reads and writes registry files. A write goes to a temporary file then is renamed: readers never see half a file.
/// A read treats the file as untrusted input: anything but a small regular file owned by this silo's uid and
/// writable only by it, holding well-formed content, is refused with a reason; a read never blocks and never throws.
/// </summary>
internal static class RegistryFiles
{
    public const string Extension = ".json";

    /// <summary>A registry of a few thousand workers fits many times over; anything larger is not one of ours.</summary>
    public const int MaxFileBytes = 1024 * 1024;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true, MaxDepth = 8, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.Strict };
    private const UnixFileMode OwnerReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public static string FileName(string siloKey, string instanceToken)
    {
        var safe = string.Concat(siloKey.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' ? c : '_'));
        return $"silo-{safe}-{instanceToken}{Extension}";
    }

    public static void Write(string path, RegistryFileContent content)
    {
        var directory = Path.GetDirectoryName(path)!;
        var temporary = Path.Combine(directory, $".{Path.GetFileName(path)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        var bytes = JsonSerializer.SerializeToUtf8Bytes(content, Json);
        StateDirectory.Ensure(directory);
        try
        {
            WriteOwnerOnly(temporary, bytes);
        }
        catch (DirectoryNotFoundException)
        {
            // Another silo's clean stop removed the (then empty) cluster folder in between.
            StateDirectory.Ensure(directory);
            WriteOwnerOnly(temporary, bytes);
        }

        File.Move(temporary, path, overwrite: true);
    }

    private static void WriteOwnerOnly(string path, byte[] bytes)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerReadWrite;
        }

        using var stream = new FileStream(path, options);
        stream.Write(bytes);
    }

    public static RegistryFileRead Read(string path)
    {
        try
        {
            using var handle = NativeFiles.OpenForReadingNoFollow(path, out var errno);
            if (handle is null)
            {
                return errno switch
                {
                    2 => RegistryFileRead.Vanished,
                    NativeFiles.ELOOP => RegistryFileRead.Refused("is a symbolic link"),
                    _ => RegistryFileRead.Refused($"could not be opened: {System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(errno)}"),
                };
            }

            var status = NativeFiles.Status(handle);
            if (!status.IsRegularFile)
            {
                return RegistryFileRead.Refused($"is a {status.TypeName}, not a regular file");
            }

            if (status.OwnerUid != NativeFiles.EffectiveUserId)
            {
                return RegistryFileRead.Refused($"is owned by uid {status.OwnerUid}, not this silo's uid {NativeFiles.EffectiveUserId}");
            }

            if (status.WritableByOthers)
            {
                return RegistryFileRead.Refused($"is writable by group or others (mode {status.Permissions})");
            }

            if (status.Size > MaxFileBytes)
            {
                return RegistryFileRead.Refused($"holds {status.Size} bytes, more than the {MaxFileBytes} a registry file may");
            }

            var bytes = new byte[MaxFileBytes + 1];
            var length = 0;
            int read;
            while (length < bytes.Length && (read = RandomAccess.Read(handle, bytes.AsSpan(length), length)) > 0)
            {
                length += read;
            }

            return length > MaxFileBytes
                ? RegistryFileRead.Refused($"grew past {MaxFileBytes} bytes while being read")
                : Parse(bytes.AsSpan(0, length));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return RegistryFileRead.Refused($"could not be read: {e.Message}");
        }
    }

    /// <summary>Content from bytes of unknown origin: a refusal naming the problem, never an exception.</summary>
    public static RegistryFileRead Parse(ReadOnlySpan<byte> bytes)
    {
        RegistryFileContent? content;
        try
        {
            content = JsonSerializer.Deserialize<RegistryFileContent>(bytes, Json);
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or ArgumentException or InvalidOperationException)
        {
            return RegistryFileRead.Refused($"is not a registry file: {e.Message}");
        }

        return WhatIsMissing(content) is { } missing
            ? RegistryFileRead.Refused($"is not a registry file: {missing}")
            : new RegistryFileRead(content, null);
    }

    // The serializer fills absent or null fields with null whatever the declared type says.
    private static string? WhatIsMissing(RegistryFileContent? content)
    {
        if (content is null)
        {
            return "it is null";
        }

        if (content.ClusterId is null || content.Silo is null || content.InstanceToken is null || content.BootId is null)
        {
            return "clusterId, silo, instanceToken or bootId is missing";
        }

        if (content.Processes is null)
        {
            return "\"processes\" is missing or null";
        }

        foreach (var record in content.Processes)
        {
            if (record is null || record.Pid <= 0 || record.BootId is null || record.WorkerId is null || record.Marker is null)
            {
                return "a process record is null, lacks a field or has a pid below 1";
            }
        }

        return null;
    }

    /// <summary>The registry files in a cluster folder; none when it is missing or cannot be listed.</summary>
    public static IReadOnlyList<string> List(string directory)
    {
        try
        {
            return Directory.Exists(directory) ? [.. Directory.EnumerateFiles(directory, $"silo-*{Extension}")] : [];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }
}

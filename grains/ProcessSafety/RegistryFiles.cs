using System.Text.Json;

namespace DSPex.Orleans.ProcessSafety;

/// <summary>Reads and writes registry files. A write goes to a temporary file then is renamed: readers never see half a file.</summary>
public static class RegistryFiles
{
    public const string Extension = ".json";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

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
        EnsureDirectory(directory);
        try
        {
            File.WriteAllBytes(temporary, bytes);
        }
        catch (DirectoryNotFoundException)
        {
            // Another silo's clean stop removed the (then empty) cluster folder in between.
            EnsureDirectory(directory);
            File.WriteAllBytes(temporary, bytes);
        }

        File.Move(temporary, path, overwrite: true);
    }

    public static RegistryFileContent? Read(string path) =>
        JsonSerializer.Deserialize<RegistryFileContent>(File.ReadAllBytes(path), Json);

    public static IEnumerable<string> List(string directory) =>
        Directory.Exists(directory) ? Directory.EnumerateFiles(directory, $"silo-*{Extension}") : [];

    public static void EnsureDirectory(string directory)
    {
        if (!Directory.Exists(directory) && !OperatingSystem.IsWindows())
        {
            // Owner-only: the files name processes this user may signal.
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }
}

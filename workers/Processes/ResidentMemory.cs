using System.Globalization;

namespace DSPex.Orleans.Workers.Processes;

/// <summary>Resident memory of a process, from /proc/&lt;pid&gt;/statm (its second field, in pages).</summary>
internal static class ResidentMemory
{
    /// <summary>Bytes resident; 0 once the process has gone or when /proc cannot be read.</summary>
    public static long Of(int pid)
    {
        try
        {
            return Parse(File.ReadAllText($"/proc/{pid}/statm"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }

    /// <summary>The resident size in a statm line, in bytes; 0 when the line is not statm's.</summary>
    public static long Parse(string statm)
    {
        var fields = statm.Split(' ');
        return fields.Length > 1 && long.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var pages)
            ? pages * Environment.SystemPageSize
            : 0;
    }
}

using System.Globalization;

namespace DSPex.Orleans.Workers.Native;

/// <summary>Pure parsers of the small /proc files other than stat: no file is read here.</summary>
internal static class ProcText
{
    /// <summary>Resident pages (the second field of /proc/PID/statm); null when the text is not a statm line.</summary>
    public static long? ResidentPages(string statm)
    {
        var fields = statm.Split(' ');
        return fields.Length >= 2 && long.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var pages)
            ? pages
            : null;
    }

    /// <summary>Seconds since boot (the first field of /proc/uptime); null when the text is not an uptime line.</summary>
    public static double? UptimeSeconds(string uptime) =>
        double.TryParse(uptime.Split(' ')[0], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds)
            ? seconds
            : null;

    /// <summary>The arguments of a /proc/PID/cmdline (NUL-separated, NUL-terminated).</summary>
    public static string[] Arguments(string cmdline) => cmdline.Length == 0 ? [] : cmdline.TrimEnd('\0').Split('\0');

    /// <summary>The value of one variable in a /proc/PID/environ (NUL-separated NAME=value); null when it is not set.</summary>
    public static string? EnvironmentValue(string environ, string name)
    {
        var prefix = name + "=";
        return environ.Split('\0').FirstOrDefault(v => v.StartsWith(prefix, StringComparison.Ordinal))?[prefix.Length..];
    }
}

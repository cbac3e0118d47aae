using System.Globalization;

namespace DSPex.Orleans.Workers.Native;

/// <summary>
/// The fields of one /proc/PID/stat line the silo needs: state (3), parent (4), process group (5), session (6) and
/// start time (22, in clock ticks since boot).
/// </summary>
internal readonly record struct ProcStat(char State, int ParentPid, int ProcessGroupId, int SessionId, ulong StartTime)
{
    /// <summary>Zombies (and dead entries) have exited; they only wait to be reaped.</summary>
    public bool HasExited => State is 'Z' or 'X';

    /// <summary>Null when the text is not a stat line.</summary>
    public static ProcStat? Parse(string statLine)
    {
        // The command name in parentheses may itself hold ')' or spaces: the fields start after the last ')'.
        var close = statLine.LastIndexOf(')');
        if (close < 0 || close + 2 > statLine.Length)
        {
            return null;
        }

        var fields = statLine[(close + 2)..].Split(' ');
        if (fields.Length < 20 || fields[0].Length != 1
            || !int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var parent)
            || !int.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out var group)
            || !int.TryParse(fields[3], NumberStyles.None, CultureInfo.InvariantCulture, out var session)
            || !ulong.TryParse(fields[19], NumberStyles.None, CultureInfo.InvariantCulture, out var startTime))
        {
            return null;
        }

        return new ProcStat(fields[0][0], parent, group, session, startTime);
    }
}

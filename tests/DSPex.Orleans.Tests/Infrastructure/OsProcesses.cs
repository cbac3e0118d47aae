using DSPex.Orleans.Workers.Native;

namespace DSPex.Orleans.Tests.Infrastructure;

/// <summary>Looks at processes by pid through /proc; zombies count as gone.</summary>
public static class OsProcesses
{
    public static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var state = stat[(stat.LastIndexOf(')') + 2)..][0];
            return state is not ('Z' or 'X');
        }
        catch (IOException)
        {
            return false;
        }
    }

    public static string CommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
        }
        catch (IOException)
        {
            return "";
        }
    }

    public static void Kill(int pid) => NativeSignals.SendToProcess(pid, NativeSignals.SIGKILL);
}

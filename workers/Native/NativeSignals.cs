using System.Runtime.InteropServices;

namespace DSPex.Orleans.Workers.Native;

/// <summary>POSIX signals, sent by pid or to a whole process group.</summary>
internal static partial class NativeSignals
{
    public const int SIGKILL = 9;
    public const int SIGTERM = 15;
    public const int SIGCONT = 18;
    public const int SIGSTOP = 19;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    /// <summary>Returns false when no such process (or group) exists.</summary>
    public static bool SendToProcess(int pid, int signal) => pid > 0 && Kill(pid, signal) == 0;

    public static bool SendToGroup(int processGroupId, int signal) => processGroupId > 1 && Kill(-processGroupId, signal) == 0;

    /// <summary>The process group a live process is in, from /proc/PID/stat; null if it is gone.</summary>
    public static int? ProcessGroupOf(int pid) => LinuxProcess.ProcessGroupOf(pid);

    public static string Describe(int exitCode) => exitCode switch
    {
        > 128 and < 160 => $"exit code {exitCode} (signal {SignalName(exitCode - 128)})",
        _ => $"exit code {exitCode}",
    };

    private static string SignalName(int signal) => signal switch
    {
        6 => "SIGABRT",
        SIGKILL => "SIGKILL",
        11 => "SIGSEGV",
        SIGTERM => "SIGTERM",
        _ => signal.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}

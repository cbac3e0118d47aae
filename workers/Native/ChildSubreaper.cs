using System.Runtime.InteropServices;

namespace DSPex.Orleans.Workers.Native;

/// <summary>
/// Makes this silo process a child subreaper (prctl PR_SET_CHILD_SUBREAPER): a process a worker's code spawned that
/// left the worker's group with setsid() comes back to the silo, instead of init, when its parent dies, so it can be
/// found (its parent is this pid) and ended with its worker.
/// </summary>
/// <remarks>
/// Safe beside .NET's own child handling: System.Native's SIGCHLD handler calls waitpid only on the pids the Process
/// class started (waitpid(-1) only when .NET runs as pid 1 or SIGCHLD was ignored at start, and then it reaps
/// adopted children too). So an adopted child that exits stays a zombie until this silo reaps it: <see cref="TryReap"/>
/// takes exactly the pid the reaper killed, never waitpid(-1), which would take exit statuses Process waits for.
/// </remarks>
internal static partial class ChildSubreaper
{
    private const int PrSetChildSubreaper = 36;
    private const int PrGetChildSubreaper = 37;
    private const int WNOHANG = 1;

    [LibraryImport("libc", EntryPoint = "prctl", SetLastError = true)]
    private static partial int Prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);

    [LibraryImport("libc", EntryPoint = "waitpid", SetLastError = true)]
    private static unsafe partial int WaitPid(int pid, int* status, int options);

    /// <summary>Returns the error text when the kernel refused.</summary>
    public static string? Enable() =>
        OperatingSystem.IsLinux() && Prctl(PrSetChildSubreaper, 1, 0, 0, 0) != 0
            ? Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())
            : null;

    public static unsafe bool IsEnabled
    {
        get
        {
            int value = 0;
            return OperatingSystem.IsLinux() && Prctl(PrGetChildSubreaper, (nuint)(&value), 0, 0, 0) == 0 && value != 0;
        }
    }

    public enum ReapResult { Reaped, NotExitedYet, NotOurChild }

    /// <summary>
    /// Collects the exit status of one exited child (a zombie), without waiting. Never one that .NET's Process
    /// started (<see cref="DotnetChildren"/>): .NET collects those, and fails the process fast when one is gone.
    /// </summary>
    public static unsafe ReapResult TryReap(int pid)
    {
        if (DotnetChildren.Contains(pid))
        {
            return ReapResult.NotOurChild;
        }

        int status;
        int result;
        do
        {
            result = WaitPid(pid, &status, WNOHANG);
        }
        while (result < 0 && Marshal.GetLastPInvokeError() == 4 /* EINTR */);

        return result == pid ? ReapResult.Reaped : result == 0 ? ReapResult.NotExitedYet : ReapResult.NotOurChild;
    }
}

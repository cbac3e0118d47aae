using System.Diagnostics;

namespace DSPex.Orleans.Tests.Infrastructure;

/// <summary>
/// A command run to completion as a child of the test, as a user would run it: both output streams read to their end,
/// standard input closed at once (a command that reads it gets end-of-file rather than waiting on a test that writes
/// nothing), and one that has not exited within the bound is killed with its children, by its pid, and the test fails
/// with a timeout. The bound is a hang guard, not a timing assertion.
/// </summary>
public static class ProcessRun
{
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(ProcessStartInfo start, TimeSpan bound)
    {
        start.UseShellExecute = false;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.RedirectStandardInput = true;
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{Described(start)} did not start");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(bound);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Described(start)} (pid {process.Id}) did not exit within {bound}; it and its children were killed");
        }

        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Runs <paramref name="command"/> with these arguments (each passed as it is, no shell) in a folder.</summary>
    public static Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(
        string command, IEnumerable<string> arguments, TimeSpan bound, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(command);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        if (workingDirectory is not null)
        {
            start.WorkingDirectory = workingDirectory;
        }

        return RunAsync(start, bound);
    }

    private static string Described(ProcessStartInfo start) =>
        string.Join(' ', new[] { start.FileName }.Concat(start.ArgumentList.Select(a => a.Length > 80 ? a[..80] + "…" : a)));
}

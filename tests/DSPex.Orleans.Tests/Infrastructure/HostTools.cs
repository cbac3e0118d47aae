using System.Diagnostics;

namespace DSPex.Orleans.Tests.Infrastructure;

/// <summary>Runs a short-lived host tool (mkfifo, chown) to completion; it ends by itself, and the test awaits its exit.</summary>
public static class HostTools
{
    public static async Task RunAsync(string tool, params string[] arguments)
    {
        var start = new ProcessStartInfo(tool) { UseShellExecute = false, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var error = await process.StandardError.ReadToEndAsync().WaitAsync(TestBounds.Exit);
        await process.WaitForExitAsync().WaitAsync(TestBounds.Exit);
        Assert.True(process.ExitCode == 0, $"{tool} {string.Join(' ', arguments)} failed: {error}");
    }

    /// <summary>The uid of "nobody": another user, as far as the silo is concerned.</summary>
    public const string Nobody = "65534";
}

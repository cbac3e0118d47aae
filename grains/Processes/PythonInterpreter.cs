using System.Collections.Concurrent;
using System.Diagnostics;

namespace DSPex.Orleans.Processes;

/// <summary>
/// Resolves a configured interpreter (often a pyenv shim, a shell script costing ~300 ms per start) to the real
/// binary once per silo, so each worker spawn starts Python directly.
/// </summary>
public static class PythonInterpreter
{
    private static readonly ConcurrentDictionary<string, Lazy<string>> Resolved = new();

    /// <summary>The real interpreter behind a configured name or shim (its sys.executable), resolved once per name.</summary>
    public static string Resolve(string configured) =>
        Resolved.GetOrAdd(configured, c => new Lazy<string>(() => ResolveOnce(c))).Value;

    private static string ResolveOnce(string configured)
    {
        var start = new ProcessStartInfo(configured)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("import sys; assert sys.version_info >= (3, 10), sys.version; print(sys.executable)");
        try
        {
            using var process = Process.Start(start) ?? throw new InvalidOperationException("Process.Start returned null");
            var output = process.StandardOutput.ReadToEnd().Trim();
            var error = process.StandardError.ReadToEnd().Trim();
            process.WaitForExit();
            if (process.ExitCode != 0 || output.Length == 0)
            {
                throw new PythonInterpreterException(
                    $"Python executable '{configured}' did not report its path (Python >= 3.10 is required): {error}");
            }

            return output;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new PythonInterpreterException($"Python executable '{configured}' could not be started: {e.Message}", e);
        }
    }
}

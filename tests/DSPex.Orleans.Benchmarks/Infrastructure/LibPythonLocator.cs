using System.Diagnostics;

namespace DSPex.Orleans.Benchmarks.Infrastructure;

/// <summary>
/// Finds the shared libpython of the same interpreter the workers run, so Python.NET runs the same Python.
/// A static-only build (Py_ENABLE_SHARED = 0) cannot be embedded: that is reported, not worked around.
/// </summary>
public static class LibPythonLocator
{
    public sealed record Found(string LibraryPath, string PythonHome, string Version);

    public static Found Locate(string interpreter)
    {
        var start = new ProcessStartInfo(interpreter) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(
            "import os, sys, sysconfig; v = sysconfig.get_config_var; "
            + "print(v('Py_ENABLE_SHARED') or 0); print(os.path.join(v('LIBDIR') or '', v('LDLIBRARY') or '')); "
            + "print(sys.base_prefix); print(sys.version.split()[0])");
        using var process = Process.Start(start) ?? throw new ScenarioUnavailableException($"could not run {interpreter}");
        var lines = process.StandardOutput.ReadToEnd().Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        process.WaitForExit();
        if (process.ExitCode != 0 || lines.Length < 4)
        {
            throw new ScenarioUnavailableException($"{interpreter} did not report its libpython: {process.StandardError.ReadToEnd()}");
        }

        if (lines[0] != "1" || !lines[1].EndsWith(".so", StringComparison.Ordinal) || !File.Exists(lines[1]))
        {
            throw new ScenarioUnavailableException(
                $"{interpreter} (Python {lines[3]}) has no shared libpython (Py_ENABLE_SHARED={lines[0]}, LDLIBRARY={lines[1]}); "
                + "Python.NET cannot embed it. Build Python with --enable-shared to run this scenario.");
        }

        return new Found(lines[1], lines[2], lines[3]);
    }
}

/// <summary>A scenario this machine cannot run; the benchmark says why and goes on without it.</summary>
public sealed class ScenarioUnavailableException(string message) : Exception(message);

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using DSPex.Orleans.Workers.Native;
using DSPex.Orleans.Workers.ProcessSafety;
using DSPex.Orleans.Workers.Processes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DSPex.Orleans.Processes;

/// <summary>
/// Resolves a configured interpreter (often a pyenv shim, a shell script costing ~300 ms per start) to the real
/// binary once per silo, so each worker spawn starts Python directly.
/// </summary>
public static class PythonInterpreter
{
    /// <summary>How long <see cref="Resolve"/> waits for the interpreter to answer (a pool uses its StartTimeout).</summary>
    internal static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    private const int MaxOutputBytes = 64 * 1024;
    private static readonly ConcurrentDictionary<string, string> Resolved = new();

    /// <summary>The real interpreter behind a configured name or shim (its sys.executable), resolved once per name.</summary>
    public static string Resolve(string configured) =>
        ResolveAsync(configured, DefaultTimeout, NullLogger.Instance, CancellationToken.None).GetAwaiter().GetResult();

    /// <summary>
    /// As <see cref="Resolve"/>, bounded whatever the executable does (hangs, prints garbage, exits, leaves children
    /// behind): past <paramref name="timeout"/> or on cancellation it is killed with everything it left re-parented
    /// to this silo, and the call fails with <see cref="PythonInterpreterException"/> (or is cancelled).
    /// </summary>
    internal static async Task<string> ResolveAsync(string configured, TimeSpan timeout, ILogger logger, CancellationToken cancellationToken)
    {
        if (Resolved.TryGetValue(configured, out var known))
        {
            return known;
        }

        var resolved = await ProbeAsync(configured, timeout, logger, cancellationToken).ConfigureAwait(false);
        Resolved[configured] = resolved;
        return resolved;
    }

    private static async Task<string> ProbeAsync(string configured, TimeSpan timeout, ILogger logger, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(configured)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("import sys; assert sys.version_info >= (3, 10), sys.version; print(sys.executable)");
        // What the probe spawns carries this in its environment, so it can be told apart once re-parented to the silo.
        var marker = $"interpreter-probe:{Guid.NewGuid():N}";
        start.Environment[ProcessMarker.EnvironmentVariable] = marker;
        using var process = new Process { StartInfo = start };
        try
        {
            DotnetChildren.Start(process);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new PythonInterpreterException($"Python executable '{configured}' could not be started: {e.Message}", e);
        }

        var startTime = LinuxProcess.Read(process.Id)?.StartTime ?? 0;
        process.StandardInput.Close();
        var output = ReadBoundedAsync(process.StandardOutput.BaseStream);
        var error = ReadBoundedAsync(process.StandardError.BaseStream);
        try
        {
            // Both pipes' ends, not only the exit: a child the script left behind can hold them open.
            await Task.WhenAll(process.WaitForExitAsync(CancellationToken.None), output, error).WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            var exited = process.HasExited ? $"exited ({NativeSignals.Describe(process.ExitCode)}) but what it started held its output open" : "did not answer";
            await EndAsync(process, marker, startTime, configured, logger).ConfigureAwait(false);
            if (e is OperationCanceledException)
            {
                throw;
            }

            throw new PythonInterpreterException(
                $"Python executable '{configured}' {exited} within {timeout} when asked for its path; it was killed. stderr: {Printable(await SoFarAsync(error).ConfigureAwait(false))}", e);
        }

        var path = (await output.ConfigureAwait(false)).Trim();
        if (process.ExitCode != 0 || !Path.IsPathRooted(path) || !File.Exists(path))
        {
            await EndAsync(process, marker, startTime, configured, logger).ConfigureAwait(false);
            throw new PythonInterpreterException(
                $"Python executable '{configured}' did not report its path (Python >= 3.10 is required; it exited {NativeSignals.Describe(process.ExitCode)}, printed '{Printable(path)}'): {Printable(await error.ConfigureAwait(false))}");
        }

        return path;
    }

    /// <summary>The probe and everything it left re-parented to this silo (its children carry its marker) end now.</summary>
    private static async Task EndAsync(Process process, string marker, ulong startTime, string configured, ILogger logger)
    {
        NativeSignals.SendToProcess(process.Id, NativeSignals.SIGKILL);
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        var endedBy = LinuxProcess.UptimeTicks();
        await Task.Run(() => LeftBehindProcesses.End(marker, $"interpreter probe of '{configured}'", startTime, endedBy, logger)).ConfigureAwait(false);
    }

    /// <summary>The text read, once the pipe has closed (briefly awaited: something that escaped may still hold it).</summary>
    private static async Task<string> SoFarAsync(Task<string> text)
    {
        try
        {
            return await text.WaitAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return "(its stderr is still held open)";
        }
    }

    /// <summary>The stream's text up to a bound (the rest is read and dropped, so the writer never blocks on a full pipe).</summary>
    private static async Task<string> ReadBoundedAsync(Stream stream)
    {
        var kept = new MemoryStream();
        var buffer = new byte[8192];
        int read;
        while ((read = await stream.ReadAsync(buffer).ConfigureAwait(false)) > 0)
        {
            kept.Write(buffer, 0, Math.Min(read, MaxOutputBytes - (int)Math.Min(kept.Length, MaxOutputBytes)));
        }

        return Encoding.UTF8.GetString(kept.GetBuffer(), 0, (int)kept.Length);
    }

    /// <summary>What a misbehaving executable printed, short and without control characters, fit for one log line.</summary>
    private static string Printable(string text)
    {
        var trimmed = text.Trim();
        var shown = trimmed.Length > 500 ? trimmed[..500] + "…" : trimmed;
        return string.Concat(shown.Select(c => char.IsControl(c) && c != '\n' ? '?' : c));
    }
}

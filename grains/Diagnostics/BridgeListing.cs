using System.Diagnostics;
using System.Text.Json;
using DSPex.Orleans.Configuration;
using DSPex.Orleans.Processes;
using DSPex.Orleans.Workers.Python;

namespace DSPex.Orleans.Diagnostics;

/// <summary>
/// What a pool's workers would serve, from the bridge's own `--list-commands` mode run with the pool's interpreter,
/// adapters and worker environment (dspex/listing.py): Python version, adapters imported, commands and where each is
/// defined, names registered twice, thread-count variables as the worker sees them, the import error if any. Run once
/// per pool and shared by the checks that read it; bounded by <see cref="Timeout"/>, the process ended by pid.
/// </summary>
internal sealed class BridgeListing(DSPexPoolOptions pool, TimeSpan timeout)
{
    private readonly Lazy<Task<Outcome>> _outcome = new(() => Task.Run(() => RunAsync(pool, timeout)));

    public TimeSpan Timeout => timeout;

    public Task<Outcome> GetAsync() => _outcome.Value;

    /// <summary>The parsed listing, or why there is none (the interpreter does not start, the bridge timed out).</summary>
    internal sealed record Outcome(JsonElement? Listing, string? Failure);

    private static async Task<Outcome> RunAsync(DSPexPoolOptions pool, TimeSpan timeout)
    {
        string python;
        try
        {
            python = PythonInterpreter.Resolve(pool.PythonExecutable);
        }
        catch (PythonInterpreterException e)
        {
            return new Outcome(null, e.Message);
        }

        var bridgeDirectory = BridgeLocation.Resolve(pool.BridgeDirectory);
        var start = new ProcessStartInfo(python)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = bridgeDirectory,
        };
        start.ArgumentList.Add(Path.Combine(bridgeDirectory, PythonProcessStartInfo.BridgeScriptName));
        start.ArgumentList.Add("--list-commands");
        foreach (var adapter in pool.AdapterModules)
        {
            start.ArgumentList.Add("--adapter");
            start.ArgumentList.Add(adapter);
        }

        PythonProcessStartInfo.SetWorkerEnvironment(start.Environment, bridgeDirectory, pool.AdapterPaths, pool.Environment, pool.InheritEnvironment);
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("Process.Start returned null");
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return new Outcome(null, $"'{python}' could not be started: {e.Message}");
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var bound = new CancellationTokenSource(timeout);
            try
            {
                await process.WaitForExitAsync(bound.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // An adapter that hangs at import: the pool's workers would never become ready either.
                process.Kill(entireProcessTree: true);
                return new Outcome(null, $"importing the adapters did not finish within {timeout.TotalSeconds:0.#} s (a worker would not start either)");
            }

            var output = await stdout.ConfigureAwait(false);
            _ = await stderr.ConfigureAwait(false);
            try
            {
                using var document = JsonDocument.Parse(output);
                return new Outcome(document.RootElement.Clone(), null);
            }
            catch (JsonException)
            {
                var first = output.Split('\n', 2)[0];
                return new Outcome(null, $"the bridge at {bridgeDirectory} did not list its commands (exit code {process.ExitCode}; {(first.Length > 200 ? first[..200] : first)})");
            }
        }
    }
}

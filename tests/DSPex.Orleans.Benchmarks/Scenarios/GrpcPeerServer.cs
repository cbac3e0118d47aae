using System.Diagnostics;
using DSPex.Orleans.Benchmarks.Infrastructure;

namespace DSPex.Orleans.Benchmarks.Scenarios;

/// <summary>
/// One Python gRPC server process of the peer scenario (python-grpc/grpc_peer_server.py): started with its stdin held
/// by this process (it exits when that closes), ready once it prints the port it listens on, ended by its pid.
/// </summary>
internal sealed class GrpcPeerServer : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly Process _process;

    private GrpcPeerServer(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Pid => _process.Id;

    public int Port { get; }

    public static string ScriptPath => Path.Combine(AppContext.BaseDirectory, "python-grpc", "grpc_peer_server.py");

    /// <summary>
    /// The benchmark's Python if it imports grpc, else Debian's (python3-grpcio installs for /usr/bin/python3 only);
    /// null when neither does.
    /// </summary>
    public static string? FindInterpreter(string pythonExecutable)
    {
        foreach (var candidate in new[] { pythonExecutable, "/usr/bin/python3" }.Distinct())
        {
            try
            {
                using var probe = Process.Start(new ProcessStartInfo(candidate, ["-c", "import grpc"])
                {
                    RedirectStandardError = true,
                    RedirectStandardOutput = true,
                });
                if (probe is null)
                {
                    continue;
                }

                probe.StandardError.ReadToEnd();
                if (probe.WaitForExit(30_000) && probe.ExitCode == 0)
                {
                    return candidate;
                }

                if (!probe.HasExited)
                {
                    OsProcess.Signal(probe.Id, OsProcess.SIGKILL);
                    probe.WaitForExit();
                }
            }
            catch (System.ComponentModel.Win32Exception)
            {
                // Not installed under that name.
            }
        }

        return null;
    }

    public static async Task<GrpcPeerServer> StartAsync(string interpreter, int threads, string marker, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(interpreter,
            [ScriptPath, BenchmarkPaths.BridgeDirectory, BenchmarkPaths.AdapterDirectory, threads.ToString(System.Globalization.CultureInfo.InvariantCulture), marker])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        // One thread of BLAS/OMP at most, as the pool's workers.
        start.Environment["OMP_NUM_THREADS"] = "1";
        start.Environment["OPENBLAS_NUM_THREADS"] = "1";
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start a Python gRPC server");
        try
        {
            var line = await process.StandardOutput.ReadLineAsync(cancellationToken).AsTask().WaitAsync(StartTimeout, cancellationToken);
            if (line is null || !line.StartsWith("ready ", StringComparison.Ordinal)
                || !int.TryParse(line.AsSpan("ready ".Length), System.Globalization.CultureInfo.InvariantCulture, out var port))
            {
                throw new InvalidOperationException($"the Python gRPC server (pid {process.Id}) did not report its port: '{line}'");
            }

            return new GrpcPeerServer(process, port);
        }
        catch
        {
            await EndAsync(process);
            throw;
        }
    }

    public async ValueTask DisposeAsync() => await EndAsync(_process);

    /// <summary>Closes its stdin (it exits by itself), then SIGKILL by pid if it has not after a grace period.</summary>
    private static async Task EndAsync(Process process)
    {
        try
        {
            process.StandardInput.Close();
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await process.WaitForExitAsync(grace.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            OsProcess.Signal(process.Id, OsProcess.SIGKILL);
            await process.WaitForExitAsync();
        }
        finally
        {
            process.Dispose();
        }
    }
}

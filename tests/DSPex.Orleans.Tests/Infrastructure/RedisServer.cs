using System.Diagnostics;
using DSPex.Orleans.Processes;
using DSPex.Orleans.Workers.Native;

namespace DSPex.Orleans.Tests.Infrastructure;

/// <summary>
/// A real redis-server (Debian's package, installed by .ci/run) started by the tests on a free loopback port,
/// without persistence, and ended by its pid.
/// </summary>
public sealed class RedisServer : IAsyncLifetime, IAsyncDisposable
{
    private Process? _process;

    /// <summary>A server that will listen on the given port (to start Redis where a client already tried to connect).</summary>
    public static RedisServer OnPort(int port) => new() { Port = port };

    public int Port { get; private set; }

    /// <summary>When set, clients must AUTH with it (--requirepass).</summary>
    public string? Password { get; init; }

    /// <summary>When set, the server speaks TLS only (--tls-port, no plaintext port), with this certificate.</summary>
    public RedisTlsFiles? Tls { get; init; }

    public string ConnectionString =>
        $"127.0.0.1:{Port}" + (Password is null ? "" : $",password={Password}") + (Tls is null ? "" : ",ssl=true");

    public async Task InitializeAsync()
    {
        if (Port == 0)
        {
            Port = FreePorts.Next();
        }

        var start = new ProcessStartInfo("redis-server")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        string[] listen = Tls is { } tls
            ? ["--port", "0", "--tls-port", Port.ToString(), "--tls-cert-file", tls.CertificateFile, "--tls-key-file", tls.KeyFile,
                "--tls-ca-cert-file", tls.CaFile, "--tls-auth-clients", "no"]
            : ["--port", Port.ToString()];
        // A throwaway test server takes its password as an argument; a production Redis reads it from its config file.
        string[] auth = Password is { } password ? ["--requirepass", password] : [];
        foreach (var arg in listen.Concat(auth).Concat(["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]))
        {
            start.ArgumentList.Add(arg);
        }

        try
        {
            _process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("redis-server is not installed (apt-get install -y redis-server); the session storage tests need it.", e);
        }

        var ready = new TaskCompletionSource();
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data?.Contains("Ready to accept connections", StringComparison.Ordinal) == true)
            {
                ready.TrySetResult();
            }
        };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        await Task.WhenAny(ready.Task, _process.WaitForExitAsync()).WaitAsync(TestBounds.Start);
        if (_process.HasExited)
        {
            throw new InvalidOperationException($"redis-server exited at start with code {_process.ExitCode}.");
        }
    }

    public async Task DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            NativeSignals.SendToProcess(_process.Id, NativeSignals.SIGKILL);
            await _process.WaitForExitAsync().WaitAsync(TestBounds.Exit);
        }

        _process?.Dispose();
        _process = null;
    }

    async ValueTask IAsyncDisposable.DisposeAsync() => await DisposeAsync();
}

/// <summary>PEM files a TLS redis-server serves with.</summary>
public sealed record RedisTlsFiles(string CertificateFile, string KeyFile, string CaFile);

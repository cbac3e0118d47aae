using System.Diagnostics;
using DSPex.Orleans.Benchmarks.Infrastructure;
using DSPex.Orleans.Tests.Infrastructure;
using StackExchange.Redis;

namespace DSPex.Orleans.Benchmarks.Scale;

/// <summary>
/// A real redis-server of this run (loopback, free port, no persistence), ended by its pid. Its INFO commandstats
/// count what the silo asked of it: the Redis operations per session call.
/// </summary>
public sealed class RedisProcess : IAsyncDisposable
{
    private readonly Process _process;

    private RedisProcess(Process process, int port, ConnectionMultiplexer connection)
    {
        _process = process;
        Port = port;
        Connection = connection;
    }

    public int Port { get; }

    public string ConnectionString => $"127.0.0.1:{Port}";

    public ConnectionMultiplexer Connection { get; }

    public int Pid => _process.Id;

    public static async Task<RedisProcess> StartAsync()
    {
        var port = FreePorts.Next();
        var start = new ProcessStartInfo("redis-server") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no" })
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start redis-server (apt-get install -y redis-server)");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                var connection = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{port},allowAdmin=true");
                return new RedisProcess(process, port, connection);
            }
            catch (RedisConnectionException) when (attempt < 50 && !process.HasExited)
            {
                await Task.Delay(100);
            }
        }
    }

    /// <summary>Calls per command since the server started (INFO commandstats), scripts' inner commands included.</summary>
    public async Task<Dictionary<string, long>> CommandCallsAsync()
    {
        var server = Connection.GetServer(Connection.GetEndPoints()[0]);
        var info = await server.InfoAsync("commandstats");
        var result = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (key, value) in info.SelectMany(g => g))
        {
            // cmdstat_evalsha -> calls=12,usec=...
            var calls = value.Split(',').FirstOrDefault(p => p.StartsWith("calls=", StringComparison.Ordinal));
            if (key.StartsWith("cmdstat_", StringComparison.Ordinal) && calls is not null)
            {
                result[key["cmdstat_".Length..]] = long.Parse(calls["calls=".Length..], System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return result;
    }

    public async Task<long> KeyCountAsync() => await Connection.GetServer(Connection.GetEndPoints()[0]).DatabaseSizeAsync();

    public long ResidentBytes() => OsProcess.ResidentBytes(Pid);

    public async ValueTask DisposeAsync()
    {
        Connection.Dispose();
        if (!_process.HasExited)
        {
            OsProcess.Signal(_process.Id, OsProcess.SIGKILL);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}

using System.Diagnostics;
using DSPex.Orleans.Configuration;
using DSPex.Orleans.Processes;
using DSPex.Orleans.Security;
using DSPex.Orleans.Silo.Configuration;
using DSPex.Orleans.Silo.Security;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;

namespace DSPex.Orleans.Silo.Startup;

/// <summary>
/// Checks, before the silo joins the cluster, what would otherwise fail later and obscurely (or never): that a
/// silo open beyond loopback requires credentials, that API key hashes parse, the Python executable, that every
/// adapter module imports, and that Redis answers. Each failure names the setting.
/// </summary>
internal sealed class StartupValidator(SiloHostOptions silo, DSPexPoolOptions pool, DSPexSecurityOptions security) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        ExposureCheck.Verify(silo, security);
        try
        {
            _ = new ApiKeyAuthenticator(Microsoft.Extensions.Options.Options.Create(security));
        }
        catch (InvalidSecurityConfigurationException e)
        {
            throw new SiloConfigurationException(e.Message);
        }

        string python;
        try
        {
            python = PythonInterpreter.Resolve(pool.PythonExecutable);
        }
        catch (PythonInterpreterException e)
        {
            throw new SiloConfigurationException($"DSPex:Pool:PythonExecutable: {e.Message}");
        }

        if (pool.AdapterModules.Count > 0)
        {
            await CheckAdaptersImportAsync(python, cancellationToken);
        }

        if (!string.IsNullOrEmpty(silo.RedisConnectionString))
        {
            await CheckRedisAsync(silo.RedisConnectionString);
        }
    }

    private async Task CheckAdaptersImportAsync(string python, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(python) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("import importlib, sys\nfor name in sys.argv[1:]:\n    importlib.import_module(name)");
        foreach (var module in pool.AdapterModules)
        {
            start.ArgumentList.Add(module);
        }

        var bridge = BridgeLocation.Resolve(pool.BridgeDirectory);
        start.Environment["PYTHONPATH"] = string.Join(Path.PathSeparator, pool.AdapterPaths.Append(bridge));
        using var process = Process.Start(start)!;
        var error = await process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            var last = error.Trim().Split('\n').LastOrDefault() ?? "";
            throw new SiloConfigurationException(
                $"DSPex:Pool:AdapterModules: an adapter module does not import ({last}). AdapterPaths: [{string.Join(", ", pool.AdapterPaths)}]");
        }
    }

    private static async Task CheckRedisAsync(string connectionString)
    {
        var options = ConfigurationOptions.Parse(connectionString);
        options.AbortOnConnectFail = true;
        options.ConnectTimeout = 5000;
        try
        {
            await using var redis = await ConnectionMultiplexer.ConnectAsync(options);
            await redis.GetDatabase().PingAsync();
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            throw new SiloConfigurationException(
                $"DSPex:Silo:RedisConnectionString: Redis at '{options.EndPoints.FirstOrDefault()}' is unreachable ({e.Message.Split('\n')[0]})");
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

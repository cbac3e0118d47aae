using System.Diagnostics;
using DSPex.Orleans.Client.Errors;
using DSPex.Orleans.Client.Hosting;
using DSPex.Orleans.Silo.Configuration;

namespace DSPex.Orleans.Silo.Demo;

/// <summary>
/// The main job on the embedded default: with the silo running, a separate Orleans client connects over the
/// gateway port, runs a sample workload through the client library, and prints the results and pool stats.
/// </summary>
public static class DemoWorkload
{
    public static async Task<int> RunAsync(SiloHostOptions silo, TextWriter output)
    {
        await using var connection = await DSPexClientHost.ConnectAsync(o =>
        {
            o.ClusterId = silo.ClusterId;
            o.ServiceId = silo.ServiceId;
            o.GatewayPort = silo.GatewayPort;
        });
        var client = connection.Client;

        output.WriteLine($"ping            -> {await client.ExecuteRawAsync("ping")}");
        output.WriteLine($"echo            -> {await client.ExecuteRawAsync("echo", """{"text":"hello from .NET","n":[1,2,3]}""")}");
        output.WriteLine($"list_commands   -> {await client.ExecuteRawAsync("list_commands")}");
        try
        {
            await client.ExecuteRawAsync("no_such_command");
        }
        catch (UnknownCommandException e)
        {
            output.WriteLine($"no_such_command -> {e.GetType().Name}: {e.Message}");
        }

        // Unmeasured first: the silo and client compile their hot paths during the first few hundred calls.
        for (var i = 0; i < 300; i++)
        {
            await client.ExecuteRawAsync("ping");
        }

        const int sequential = 500;
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < sequential; i++)
        {
            await client.ExecuteRawAsync("ping");
        }

        output.WriteLine($"{sequential} sequential pings: {watch.Elapsed.TotalMicroseconds / sequential:0} us per round trip");

        const int concurrent = 500;
        watch.Restart();
        var pids = await Task.WhenAll(Enumerable.Range(0, concurrent).Select(async _ =>
            (await client.ExecuteResponseAsync("ping")).WorkerPid));
        output.WriteLine($"{concurrent} concurrent pings: {concurrent / watch.Elapsed.TotalSeconds:0} requests/s over {pids.Distinct().Count()} worker processes");

        var stats = await client.GetClusterStatsAsync();
        foreach (var pool in stats.Pools)
        {
            output.WriteLine($"pool {pool.Silo}: workers {pool.Workers}/{pool.Size}, busy {pool.Busy}, queued {pool.Queued}, served {pool.Served}, errors {pool.Errors}, restarts {pool.Restarts}, queue timeouts {pool.QueueTimeouts}");
            foreach (var worker in pool.WorkerDetails)
            {
                output.WriteLine($"  {worker.WorkerId}: pid {worker.Pid}, {worker.State}, served {worker.Served}, rss {worker.ResidentBytes / 1024} KiB");
            }
        }

        return 0;
    }
}

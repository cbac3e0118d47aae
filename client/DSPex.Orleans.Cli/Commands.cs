using System.CommandLine;
using DSPex.Orleans.Client;

namespace DSPex.Orleans.Cli;

/// <summary>The dspex commands: exec, stats, workers.</summary>
internal static class Commands
{
    public static Command Exec(ClusterConnection connection)
    {
        var name = new Argument<string>("command") { Description = "Python command to run" };
        var args = new Option<string>("--args") { Description = "Arguments as JSON", DefaultValueFactory = _ => "{}" };
        var timeout = new Option<double?>("--timeout") { Description = "Deadline in seconds" };
        var command = new Command("exec", "Run a Python command on the cluster and print its JSON result") { name, args, timeout };
        command.SetAction((parse, ct) => connection.RunAsync(parse, async (client, token) =>
        {
            var options = CliErrors.Seconds(parse.GetValue(timeout), "--timeout") is { } deadline ? new ExecuteOptions { Timeout = deadline } : null;
            Console.WriteLine(await client.ExecuteRawAsync(parse.GetValue(name)!, parse.GetValue(args)!, options, token));
            return 0;
        }, ct));
        return command;
    }

    public static Command Stats(ClusterConnection connection)
    {
        var command = new Command("stats", "Print each silo's pool stats");
        command.SetAction((parse, ct) => connection.RunAsync(parse, async (client, _) =>
        {
            var stats = await client.GetClusterStatsAsync();
            Console.WriteLine($"{"silo",-32} {"size",5} {"workers",8} {"busy",5} {"queued",7} {"served",9} {"errors",7} {"restarts",9} {"q-timeouts",11}");
            foreach (var p in stats.Pools)
            {
                Console.WriteLine($"{p.Silo,-32} {p.Size,5} {p.Workers,8} {p.Busy,5} {p.Queued,7} {p.Served,9} {p.Errors,7} {p.Restarts,9} {p.QueueTimeouts,11}");
            }

            foreach (var silo in stats.Unreachable)
            {
                Console.WriteLine($"{silo,-32} (did not answer)");
            }

            return 0;
        }, ct));
        return command;
    }

    public static Command Workers(ClusterConnection connection)
    {
        var command = new Command("workers", "List every worker: pid, state, requests served, resident memory");
        command.SetAction((parse, ct) => connection.RunAsync(parse, async (client, _) =>
        {
            var stats = await client.GetClusterStatsAsync();
            Console.WriteLine($"{"worker",-36} {"pid",8} {"state",9} {"in-flight",10} {"served",9} {"rss-MiB",8}");
            foreach (var w in stats.Pools.SelectMany(p => p.WorkerDetails))
            {
                Console.WriteLine($"{w.WorkerId,-36} {w.Pid,8} {w.State,9} {w.InFlight,10} {w.Served,9} {w.ResidentBytes / 1048576.0,8:0.0}");
            }

            return 0;
        }, ct));
        return command;
    }
}

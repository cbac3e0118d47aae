using System.CommandLine;
using DSPex.Orleans.Client;
using DSPex.Orleans.Contracts;

namespace DSPex.Orleans.Cli;

/// <summary>The dspex commands: exec, stream, stats, workers.</summary>
internal static class Commands
{
    public static Command Exec(ClusterConnection connection)
    {
        var name = new Argument<string>("command") { Description = "Python command to run" };
        var args = CliInput.JsonOption("--args", "Arguments as JSON");
        var timeout = CliInput.Seconds("--timeout", "Deadline in seconds");
        var pool = PoolOption.Create("Pool to run in (default: the pool that registers the command)");
        var part = CliParts.PartOption();
        var partsOut = CliParts.PartsOutOption();
        var command = new Command("exec", "Run a Python command on the cluster and print its JSON result") { name, args, timeout, pool, part, partsOut };
        command.SetAction((parse, ct) => connection.RunAsync(parse, async (client, token) =>
        {
            var files = parse.GetValue(part) ?? [];
            var outDir = parse.GetValue(partsOut);
            if (files.Length == 0 && outDir is null)
            {
                Console.WriteLine(await client.ExecuteRawAsync(parse.GetValue(name)!, parse.GetValue(args)!, Options(parse, timeout, pool), token));
                return 0;
            }

            // Binary in or out: the call carries parts both ways (ExecuteDataAsync); the JSON printed refers to them.
            var data = await CliParts.ReadAsync(parse.GetValue(args)!, files, token);
            var result = await client.ExecuteDataAsync(parse.GetValue(name)!, data, Options(parse, timeout, pool), token);
            if (outDir is not null)
            {
                await CliParts.WriteAsync(result, outDir, token);
            }
            else if (result.Parts.Count > 0)
            {
                Console.Error.WriteLine($"note: the result carries {result.Parts.Count} binary part(s), not written: give --parts-out DIR");
            }

            Console.WriteLine(result.Json);
            return 0;
        }, ct));
        return command;
    }

    public static Command Stream(ClusterConnection connection)
    {
        var name = new Argument<string>("command") { Description = "Streaming Python command to run" };
        var args = CliInput.JsonOption("--args", "Arguments as JSON");
        var timeout = CliInput.Seconds("--timeout", "Deadline of the whole stream in seconds");
        var pool = PoolOption.Create("Pool to run in (default: the pool that registers the command); a stream runs on the gateway silo's pools");
        var session = new Option<string?>("--session")
        {
            Description = "Stream in this session: its variables, its pool and the worker that holds its programs (the session is created if it does not exist)",
        };
        var command = new Command("stream", "Run a streaming Python command and print each item as one JSON line") { name, args, timeout, pool, session };
        command.SetAction((parse, ct) => connection.RunAsync(parse, async (client, token) =>
        {
            var options = Options(parse, timeout, pool);
            var items = parse.GetValue(session) is { } sessionId
                // The pool names the session's pool if this stream creates it; an existing session of another pool refuses.
                ? client.Session(sessionId, new SessionOptions(Pool: options?.Pool)).StreamRawAsync(parse.GetValue(name)!, parse.GetValue(args)!, options, token)
                : client.StreamRawAsync(parse.GetValue(name)!, parse.GetValue(args)!, options, token);
            await foreach (var item in items)
            {
                Console.WriteLine(item);
            }

            return 0;
        }, ct));
        return command;
    }

    public static Command Stats(ClusterConnection connection)
    {
        var command = new Command("stats", "Print each silo's pool stats (one row per pool per silo, and why a pool failed to start)");
        command.SetAction((parse, ct) => connection.RunAsync(parse, async (client, _) =>
        {
            var stats = await client.GetClusterStatsAsync();
            Console.Write(StatsTable.Format(stats));
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
            Console.Write(StatsTable.FormatWorkers(stats));
            return 0;
        }, ct));
        return command;
    }

    private static ExecuteOptions? Options(ParseResult parse, Option<double?> timeout, Option<string?> pool)
    {
        var deadline = CliErrors.Seconds(parse.GetValue(timeout), "--timeout");
        var named = PoolOption.Value(parse, pool);
        return deadline is null && named is null ? null : new ExecuteOptions { Timeout = deadline, Pool = named };
    }
}

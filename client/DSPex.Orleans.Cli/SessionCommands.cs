using System.CommandLine;
using System.Text.Json;
using DSPex.Orleans.Client;
using DSPex.Orleans.Contracts;

namespace DSPex.Orleans.Cli;

/// <summary>dspex session ...: inspect and drive one session.</summary>
internal static class SessionCommands
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } };

    public static Command Create(ClusterConnection connection)
    {
        var session = new Command("session", "Work with a session: create, info, exec, programs, variables, delete");
        session.Subcommands.Add(CreateSession(connection));
        session.Subcommands.Add(Info(connection));
        session.Subcommands.Add(Exec(connection));
        session.Subcommands.Add(CreateProgram(connection));
        session.Subcommands.Add(RunProgram(connection));
        session.Subcommands.Add(SetVariable(connection));
        session.Subcommands.Add(Variables(connection));
        session.Subcommands.Add(Delete(connection));
        return session;
    }

    private static Argument<string> SessionId() => new("session-id") { Description = "Session id" };

    // A session's pool is fixed when it is created (by `session create` or its first call, in the pool of its command when none is named); later calls run there.
    private static Option<string?> Pool() => PoolOption.Create("Pool the session runs in, if this call creates it (default: the pool named default; `session exec` picks the pool of its command)");

    private static Command CreateSession(ClusterConnection connection)
    {
        var id = SessionId();
        var affinity = new Option<AffinityMode?>("--affinity") { Description = "hint (default), strictqueue or strictfailfast" };
        var ttl = CliInput.Seconds("--ttl", "Time to live in seconds");
        var pool = Pool();
        var command = new Command("create", "Create the session (an existing one is left as it is) and print it") { id, affinity, ttl, pool };
        command.SetAction((parse, ct) => connection.RunAsync(parse, async (client, _) =>
        {
            var info = await client.Session(parse.GetValue(id)!, Options(parse, ttl, affinity, pool)).CreateAsync();
            Console.WriteLine(JsonSerializer.Serialize(info, Indented));
            return 0;
        }, ct));
        return command;
    }

    private static Command Info(ClusterConnection connection)
    {
        var id = SessionId();
        var command = new Command("info", "Print the session (programs, counters, last worker), or that it does not exist") { id };
        command.SetAction((parse, ct) => connection.RunAsync(parse, async (client, _) =>
        {
            var info = await client.Session(parse.GetValue(id)!).GetInfoAsync();
            Console.WriteLine(info is null ? "no such session (never created, deleted or expired)" : JsonSerializer.Serialize(info, Indented));
            return info is null ? 3 : 0;
        }, ct));
        return command;
    }

    private static Command Exec(ClusterConnection connection)
    {
        var id = SessionId();
        var name = new Argument<string>("command") { Description = "Python command to run in the session" };
        var args = CliInput.JsonOption("--args", "Arguments as JSON");
        var affinity = new Option<AffinityMode?>("--affinity") { Description = "hint (default), strictqueue or strictfailfast, for a new session" };
        var ttl = CliInput.Seconds("--ttl", "Time to live in seconds, for a new session");
        var pool = PoolOption.Create("Pool of a new session (default: the pool that registers the command); a session of another pool refuses the call");
        var command = new Command("exec", "Run a command in the session") { id, name, args, affinity, ttl, pool };
        command.SetAction((parse, ct) => connection.RunAsync(parse, (client, token) =>
        {
            var options = Options(parse, ttl, affinity, pool);
            // Named on the call too, so an existing session of another pool says so rather than running elsewhere.
            var call = options.Pool is null ? null : new ExecuteOptions { Pool = options.Pool };
            return Report(() => client.Session(parse.GetValue(id)!, options).ExecuteRawAsync(parse.GetValue(name)!, parse.GetValue(args)!, call, token));
        }, ct));
        return command;
    }

    private static Command CreateProgram(ClusterConnection connection)
    {
        var id = SessionId();
        var program = new Argument<string>("program-id");
        var spec = CliInput.JsonOption("--spec", "Program spec as JSON, e.g. {\"type\":\"template\",\"template\":\"Hi {name}\"}", required: true);
        var pool = Pool();
        var command = new Command("create-program", "Store a program spec in the session (new revision if it exists)") { id, program, spec, pool };
        command.SetAction((parse, ct) => connection.RunAsync(parse, async (client, _) =>
        {
            var revision = await client.Session(parse.GetValue(id)!, Options(parse, pool)).CreateProgramAsync(parse.GetValue(program)!, parse.GetValue(spec)!);
            Console.WriteLine($"program {parse.GetValue(program)} revision {revision}");
            return 0;
        }, ct));
        return command;
    }

    private static Command RunProgram(ClusterConnection connection)
    {
        var id = SessionId();
        var program = new Argument<string>("program-id");
        var args = CliInput.JsonOption("--args", "Arguments as JSON");
        var pool = Pool();
        var command = new Command("run-program", "Run one of the session's programs (in the session's pool)") { id, program, args, pool };
        command.SetAction((parse, ct) => connection.RunAsync(parse, (client, token) => Report(() =>
            client.Session(parse.GetValue(id)!, Options(parse, pool)).ExecuteProgramRawAsync(parse.GetValue(program)!, parse.GetValue(args)!, cancellationToken: token)), ct));
        return command;
    }

    private static Command SetVariable(ClusterConnection connection)
    {
        var id = SessionId();
        var name = new Argument<string>("name");
        var value = CliInput.JsonArgument("value-json");
        var pool = Pool();
        var command = new Command("set-var", "Set a session variable to a JSON value") { id, name, value, pool };
        command.SetAction((parse, ct) => connection.RunAsync(parse, async (client, _) =>
        {
            using var parsed = JsonDocument.Parse(parse.GetValue(value)!);
            await client.Session(parse.GetValue(id)!, Options(parse, pool)).SetVariableAsync(parse.GetValue(name)!, parsed.RootElement);
            return 0;
        }, ct));
        return command;
    }

    private static Command Variables(ClusterConnection connection)
    {
        var id = SessionId();
        var command = new Command("vars", "Print the session's variables as JSON") { id };
        command.SetAction((parse, ct) => connection.RunAsync(parse, async (client, _) =>
        {
            Console.WriteLine(await client.Session(parse.GetValue(id)!).GetVariablesJsonAsync());
            return 0;
        }, ct));
        return command;
    }

    private static Command Delete(ClusterConnection connection)
    {
        var id = SessionId();
        var command = new Command("delete", "Delete the session and its stored state") { id };
        command.SetAction((parse, ct) => connection.RunAsync(parse, async (client, _) =>
        {
            await client.Session(parse.GetValue(id)!).DeleteAsync();
            return 0;
        }, ct));
        return command;
    }

    private static SessionOptions Options(ParseResult parse, Option<double?> ttl, Option<AffinityMode?> affinity, Option<string?> pool) =>
        new(CliErrors.Seconds(parse.GetValue(ttl), "--ttl"), parse.GetValue(affinity), Pool: PoolOption.Value(parse, pool));

    private static SessionOptions Options(ParseResult parse, Option<string?> pool) => new(Pool: PoolOption.Value(parse, pool));

    private static async Task<int> Report(Func<Task<string>> call)
    {
        Console.WriteLine(await call());
        return 0;
    }
}

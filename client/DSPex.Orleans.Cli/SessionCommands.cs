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
        var session = new Command("session", "Work with a session: info, exec, programs, variables, delete");
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
        var args = new Option<string>("--args") { Description = "Arguments as JSON", DefaultValueFactory = _ => "{}" };
        var affinity = new Option<AffinityMode?>("--affinity") { Description = "hint (default), strictqueue or strictfailfast, for a new session" };
        var ttl = new Option<double?>("--ttl") { Description = "Time to live in seconds, for a new session" };
        var command = new Command("exec", "Run a command in the session") { id, name, args, affinity, ttl };
        command.SetAction((parse, ct) => connection.RunAsync(parse, (client, token) => Report(() =>
            client.Session(parse.GetValue(id)!, Options(parse.GetValue(ttl), parse.GetValue(affinity)))
                .ExecuteRawAsync(parse.GetValue(name)!, parse.GetValue(args)!, cancellationToken: token)), ct));
        return command;
    }

    private static Command CreateProgram(ClusterConnection connection)
    {
        var id = SessionId();
        var program = new Argument<string>("program-id");
        var spec = new Option<string>("--spec") { Description = "Program spec as JSON, e.g. {\"type\":\"template\",\"template\":\"Hi {name}\"}", Required = true };
        var command = new Command("create-program", "Store a program spec in the session (new revision if it exists)") { id, program, spec };
        command.SetAction((parse, ct) => connection.RunAsync(parse, async (client, _) =>
        {
            var revision = await client.Session(parse.GetValue(id)!).CreateProgramAsync(parse.GetValue(program)!, parse.GetValue(spec)!);
            Console.WriteLine($"program {parse.GetValue(program)} revision {revision}");
            return 0;
        }, ct));
        return command;
    }

    private static Command RunProgram(ClusterConnection connection)
    {
        var id = SessionId();
        var program = new Argument<string>("program-id");
        var args = new Option<string>("--args") { Description = "Arguments as JSON", DefaultValueFactory = _ => "{}" };
        var command = new Command("run-program", "Run one of the session's programs") { id, program, args };
        command.SetAction((parse, ct) => connection.RunAsync(parse, (client, token) => Report(() =>
            client.Session(parse.GetValue(id)!).ExecuteProgramRawAsync(parse.GetValue(program)!, parse.GetValue(args)!, cancellationToken: token)), ct));
        return command;
    }

    private static Command SetVariable(ClusterConnection connection)
    {
        var id = SessionId();
        var name = new Argument<string>("name");
        var value = new Argument<string>("value-json");
        var command = new Command("set-var", "Set a session variable to a JSON value") { id, name, value };
        command.SetAction((parse, ct) => connection.RunAsync(parse, async (client, _) =>
        {
            using var parsed = JsonDocument.Parse(parse.GetValue(value)!);
            await client.Session(parse.GetValue(id)!).SetVariableAsync(parse.GetValue(name)!, parsed.RootElement);
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

    private static SessionOptions Options(double? ttlSeconds, AffinityMode? affinity) =>
        new(CliErrors.Seconds(ttlSeconds, "--ttl"), affinity);

    private static async Task<int> Report(Func<Task<string>> call)
    {
        Console.WriteLine(await call());
        return 0;
    }
}

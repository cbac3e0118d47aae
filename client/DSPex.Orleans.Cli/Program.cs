using System.CommandLine;
using DSPex.Orleans.Cli;

var connection = new ClusterConnection();
var root = new RootCommand("dspex: run Python commands on a DSPex.Orleans cluster and inspect its pools");
connection.AddTo(root);
root.Subcommands.Add(Commands.Exec(connection));
root.Subcommands.Add(Commands.Stream(connection));
root.Subcommands.Add(Commands.Stats(connection));
root.Subcommands.Add(Commands.Workers(connection));
root.Subcommands.Add(SessionCommands.Create(connection));
root.Subcommands.Add(SweepCommand.Create(connection));
root.Subcommands.Add(DoctorCommand.Create(connection));
var parse = root.Parse(args);
if (parse.Errors.Count > 0)
{
    // Bad input is exit 2 with one typed line naming the option, like every other failure (System.CommandLine's own
    // report would be exit 1 and the whole help text).
    return CliErrors.Print(DSPex.Orleans.Contracts.DSPexErrorKind.InvalidArguments,
        $"{string.Join("; ", parse.Errors.Select(e => e.Message))} (dspex --help lists the commands and options)", CliErrors.Failed);
}

return await parse.InvokeAsync();

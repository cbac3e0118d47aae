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
return await root.Parse(args).InvokeAsync();

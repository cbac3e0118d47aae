using System.CommandLine;

namespace DSPex.Orleans.Cli;

/// <summary>`dspex sweep`: runs an orphan sweep on every active silo now and prints each silo's report.</summary>
internal static class SweepCommand
{
    public static Command Create(ClusterConnection connection)
    {
        var verbose = new Option<bool>("--details") { Description = "Print what was done to each orphan" };
        var command = new Command("sweep", "Sweep every silo's host for orphaned Python workers now and print the reports") { verbose };
        command.SetAction((parse, ct) => connection.RunAsync(parse, async (client, _) =>
        {
            var sweep = await client.SweepAsync();
            Console.WriteLine($"{"silo",-32} {"found",6} {"graceful",9} {"forced",7} {"errors",7} {"preserved",10} {"stale",6}");
            foreach (var r in sweep.Silos)
            {
                Console.WriteLine($"{r.Silo,-32} {r.Found,6} {r.TerminatedGracefully,9} {r.TerminatedForcibly,7} {r.Errors,7} {r.Preserved,10} {r.StaleRecordsRemoved,6}");
                if (parse.GetValue(verbose))
                {
                    foreach (var line in r.Details)
                    {
                        Console.WriteLine($"    {line}");
                    }
                }
            }

            foreach (var silo in sweep.Unreachable)
            {
                Console.WriteLine($"{silo,-32} (did not answer)");
            }

            return sweep.Unreachable.Count == 0 && sweep.Silos.All(r => r.Errors == 0) ? 0 : 1;
        }, ct));
        return command;
    }
}

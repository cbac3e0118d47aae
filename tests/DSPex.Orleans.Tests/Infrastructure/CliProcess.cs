using System.Diagnostics;

namespace DSPex.Orleans.Tests.Infrastructure;

/// <summary>The dspex CLI (client/DSPex.Orleans.Cli) run as its own process to completion, as a user would run it.</summary>
public static class CliProcess
{
    /// <summary>client/DSPex.Orleans.Cli/bin/&lt;configuration&gt;/&lt;tfm&gt;/dspex.dll, built beside the tests.</summary>
    public static string Assembly
    {
        get
        {
            // tests/DSPex.Orleans.Tests/bin/<configuration>/<tfm>/ -> client/DSPex.Orleans.Cli/bin/<configuration>/<tfm>/dspex.dll
            var tfm = new DirectoryInfo(AppContext.BaseDirectory);
            var configuration = tfm.Parent!;
            var repository = configuration.Parent!.Parent!.Parent!.Parent!;
            return Path.Combine(repository.FullName, "client", "DSPex.Orleans.Cli", "bin", configuration.Name, tfm.Name, "dspex.dll");
        }
    }

    /// <summary>The --connect-timeout every run gets unless its arguments name one: a hang guard, not an expectation.</summary>
    public const string GenerousConnectTimeoutSeconds = "120";

    /// <summary>
    /// Runs the CLI with these arguments; an environment value of null removes the variable. A CLI that has not exited
    /// within <see cref="TestBounds.Exit"/> is killed (by its pid) and the test fails with a timeout.
    /// </summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var start = new ProcessStartInfo("dotnet");
        start.ArgumentList.Add(Assembly);
        var given = arguments.ToList();
        if (!given.Contains("--connect-timeout"))
        {
            // The CLI waits 20 s by default for a gateway to admit it: in a test that expects to connect, a timeout that
            // must not fire, and a TLS client's admission took longer than that on a loaded CI machine (CliSecurityTests
            // failed with "not admitted within 20 s"). A test that means to see the wait run out sets the option itself.
            start.ArgumentList.Add("--connect-timeout");
            start.ArgumentList.Add(GenerousConnectTimeoutSeconds);
        }

        foreach (var argument in given)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        return await ProcessRun.RunAsync(start, TestBounds.Exit);
    }
}

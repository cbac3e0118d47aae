using System.Diagnostics;

namespace DSPex.Orleans.Tests.Infrastructure;

/// <summary>
/// The dotnet tool (pack, build, an application's dll) run to completion as a child of the test, as a user would run it.
/// No MSBuild or compiler server outlives it (node reuse and shared compilation off), and one that has not exited within
/// the bound is killed with its children, by its pid, and the test fails with a timeout.
/// </summary>
public static class DotnetProcess
{
    public static Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string workingDirectory, TimeSpan bound, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // The test host runs under `dotnet test`: its MSBuild variables would point a child build at this build's SDK state.
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(name);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["UseSharedCompilation"] = "false";

        return ProcessRun.RunAsync(start, bound);
    }
}

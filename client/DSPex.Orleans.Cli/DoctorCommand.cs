using System.CommandLine;
using System.Text.Json;
using DSPex.Orleans.Diagnostics;
using Microsoft.Extensions.Configuration;

namespace DSPex.Orleans.Cli;

/// <summary>
/// `dspex doctor`: checks this machine or pod with the checks the silo runs at start (grains/Diagnostics), reading the
/// configuration a silo reads (appsettings.json, DSPex__* and DSPEX_ environment variables, then these options): the
/// default pool and every named pool a silo here would run (DSPex:Pools, DSPex:Labels), and,
/// given --gateway or --redis, what the running cluster reports. Exit codes: 0 nothing failed (warnings allowed),
/// 1 a check failed, 2 doctor could not run (a bad option or configuration file).
/// </summary>
internal static class DoctorCommand
{
    public const int Healthy = 0;
    public const int CheckFailed = 1;
    public const int CouldNotRun = 2;

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public static Command Create(ClusterConnection connection)
    {
        var json = new Option<bool>("--json") { Description = "Print the results as JSON (for scripts)" };
        var config = new Option<string?>("--config") { Description = "The silo's appsettings.json (default: ./appsettings.json when present)" };
        var python = new Option<string?>("--python") { Description = "Override DSPex:Pool:PythonExecutable" };
        var adapters = new Option<string[]>("--adapter") { Description = "Override DSPex:Pool:AdapterModules (repeatable)", AllowMultipleArgumentsPerToken = true };
        var adapterPaths = new Option<string[]>("--adapter-path") { Description = "Override DSPex:Pool:AdapterPaths (repeatable)", AllowMultipleArgumentsPerToken = true };
        var stateDirectory = new Option<string?>("--state-dir") { Description = "Override DSPex:ProcessSafety:StateDirectory" };
        var settings = new Option<string[]>("--setting") { Description = "Any setting as KEY=VALUE, e.g. DSPex:Silo:GatewayPort=30001 (repeatable)" };
        var listingTimeout = new Option<double>("--listing-timeout") { Description = "Seconds the adapters may take to import", DefaultValueFactory = _ => DiagnosticChecks.DefaultListingTimeout.TotalSeconds };
        var command = new Command("doctor", "Check this machine or pod: Python, adapters and their commands, thread limits, state directory, Redis, TLS files, ports, and (with --gateway/--redis) the running cluster")
        {
            json, config, python, adapters, adapterPaths, stateDirectory, settings, listingTimeout,
        };
        command.SetAction(async (parse, ct) =>
        {
            IConfiguration configuration;
            try
            {
                configuration = Configuration(parse.GetValue(config), Overrides(parse, python, adapters, adapterPaths, stateDirectory, settings));
            }
            catch (Exception e) when (e is InvalidDataException or FormatException or FileNotFoundException or ArgumentException)
            {
                Console.Error.WriteLine($"error: InvalidArguments: {e.Message.ReplaceLineEndings(" ")}");
                return CouldNotRun;
            }

            var timeout = parse.GetValue(listingTimeout);
            if (double.IsNaN(timeout) || timeout <= 0 || timeout > 3600)
            {
                Console.Error.WriteLine($"error: InvalidArguments: --listing-timeout is {timeout}; give a positive number of seconds up to 3600");
                return CouldNotRun;
            }

            List<IDiagnosticCheck> checks;
            try
            {
                checks = [.. DiagnosticChecks.ForMachine(configuration, TimeSpan.FromSeconds(timeout))];
            }
            catch (InvalidOperationException e)
            {
                // A value the binder cannot convert ("Failed to convert configuration value at 'DSPex:Pools:gpu:Size'..."):
                // the silo would not start either, and the message names the key.
                Console.Error.WriteLine($"error: InvalidArguments: {e.Message.ReplaceLineEndings(" ")}");
                return CouldNotRun;
            }

            if (parse.GetValue(connection.Gateways) is { Length: > 0 } || parse.GetValue(connection.Redis) is { Length: > 0 })
            {
                checks.Add(new SiloCheck(connection, parse, TimeSpan.FromSeconds(parse.GetValue(connection.ConnectTimeout))));
            }
            else
            {
                checks.Add(new SkippedCheck("silo", "no --gateway or --redis given: the running cluster was not asked"));
            }

            var results = new List<CheckResult>();
            foreach (var check in checks)
            {
                results.Add(await check.RunAsync(ct));
            }

            var exitCode = results.Any(r => r.Status == CheckStatus.Fail) ? CheckFailed : Healthy;
            Console.Write(parse.GetValue(json) ? AsJson(results, exitCode) : AsText(results));
            return exitCode;
        });
        return command;
    }

    private static Dictionary<string, string?> Overrides(ParseResult parse, Option<string?> python, Option<string[]> adapters, Option<string[]> adapterPaths,
        Option<string?> stateDirectory, Option<string[]> settings)
    {
        var overrides = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var setting in parse.GetValue(settings) ?? [])
        {
            var equals = setting.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new ArgumentException($"--setting '{setting.Split('=')[0]}' is not KEY=VALUE");
            }

            overrides[setting[..equals]] = setting[(equals + 1)..];
        }

        if (parse.GetValue(python) is { } executable)
        {
            overrides["DSPex:Pool:PythonExecutable"] = executable;
        }

        if (parse.GetValue(stateDirectory) is { } directory)
        {
            overrides["DSPex:ProcessSafety:StateDirectory"] = directory;
        }

        List(overrides, "DSPex:Pool:AdapterModules", parse.GetValue(adapters));
        List(overrides, "DSPex:Pool:AdapterPaths", parse.GetValue(adapterPaths));
        return overrides;
    }

    private static void List(Dictionary<string, string?> overrides, string key, string[]? values)
    {
        for (var i = 0; values is not null && i < values.Length; i++)
        {
            overrides[$"{key}:{i}"] = values[i];
        }
    }

    /// <summary>What the silo reads, in its order: appsettings.json, the environment (DSPex__X and DSPEX_DSPex__X), then overrides.</summary>
    private static IConfiguration Configuration(string? file, Dictionary<string, string?> overrides)
    {
        var builder = new ConfigurationBuilder();
        if (file is not null)
        {
            builder.AddJsonFile(Path.GetFullPath(file), optional: false);
        }
        else if (File.Exists("appsettings.json"))
        {
            builder.AddJsonFile(Path.GetFullPath("appsettings.json"), optional: true);
        }

        return builder.AddEnvironmentVariables().AddEnvironmentVariables("DSPEX_").AddInMemoryCollection(overrides).Build();
    }

    private static string AsText(IReadOnlyList<CheckResult> results)
    {
        var text = new System.Text.StringBuilder();
        var width = results.Max(r => r.Check.Length);
        foreach (var result in results)
        {
            text.Append(Label(result.Status)).Append("  ").Append(result.Check.PadRight(width)).Append("  ").AppendLine(result.Message);
            foreach (var detail in result.Details)
            {
                text.Append(new string(' ', 8 + width)).AppendLine(detail);
            }
        }

        var failed = results.Count(r => r.Status == CheckStatus.Fail);
        var warnings = results.Count(r => r.Status == CheckStatus.Warn);
        text.AppendLine(failed == 0 ? $"doctor: no failures ({warnings} warning(s))" : $"doctor: {failed} check(s) failed, {warnings} warning(s)");
        return text.ToString();
    }

    private static string Label(CheckStatus status) => status switch
    {
        CheckStatus.Pass => "ok  ",
        CheckStatus.Warn => "warn",
        CheckStatus.Fail => "FAIL",
        _ => "skip",
    };

    private static string AsJson(IReadOnlyList<CheckResult> results, int exitCode) => JsonSerializer.Serialize(new
    {
        ok = exitCode == Healthy,
        exitCode,
        failed = results.Count(r => r.Status == CheckStatus.Fail),
        warnings = results.Count(r => r.Status == CheckStatus.Warn),
        checks = results.Select(r => new { check = r.Check, status = r.Status.ToString().ToLowerInvariant(), summary = r.Summary, setting = r.Setting, details = r.Details }),
    }, Json) + Environment.NewLine;

    private sealed class SkippedCheck(string name, string why) : IDiagnosticCheck
    {
        public string Name => name;

        public Task<CheckResult> RunAsync(CancellationToken cancellationToken) => Task.FromResult(CheckResult.Skip(name, why));
    }
}

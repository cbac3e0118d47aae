using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Text.Json;
using DSPex.Orleans.Client.Errors;

namespace DSPex.Orleans.Cli;

/// <summary>
/// What the command line gives, checked before anything connects: a value that cannot be what its option asks for is
/// bad input (InvalidArguments, exit 2) whose message names the option and the value, never a .NET type name.
/// </summary>
internal static class CliInput
{
    /// <summary>An option of seconds: a value that is not a number is a parse error naming the option.</summary>
    public static Option<double?> Seconds(string name, string description) => new(name)
    {
        Description = description,
        CustomParser = result => ParseSeconds(result, name),
    };

    /// <summary>Like <see cref="Seconds(string, string)"/>, with a default.</summary>
    public static Option<double> Seconds(string name, string description, double defaultValue) => new(name)
    {
        Description = description,
        DefaultValueFactory = _ => defaultValue,
        CustomParser = result => ParseSeconds(result, name) ?? defaultValue,
    };

    /// <summary>An option holding JSON text: text that is not one JSON value is a parse error naming the option.</summary>
    public static Option<string> JsonOption(string name, string description, bool required = false)
    {
        var option = new Option<string>(name) { Description = description, Required = required };
        if (!required)
        {
            option.DefaultValueFactory = _ => "{}";
        }

        option.Validators.Add(result => Check(result.GetValueOrDefault<string>(), name, result.AddError));
        return option;
    }

    /// <summary>An argument holding JSON text, checked as <see cref="JsonOption"/> is.</summary>
    public static Argument<string> JsonArgument(string name)
    {
        var argument = new Argument<string>(name) { Description = "A JSON value" };
        argument.Validators.Add(result => Check(result.GetValueOrDefault<string>(), name, result.AddError));
        return argument;
    }

    /// <summary>
    /// The gateways as host:port endpoints (a value may list several, separated by commas); a value without a port, or
    /// with one outside 1-65535, is InvalidArguments naming --gateway.
    /// </summary>
    public static string[] Gateways(IEnumerable<string> values)
    {
        var gateways = values.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToArray();
        foreach (var gateway in gateways)
        {
            if (Endpoint(gateway) is null)
            {
                throw new InvalidArgumentsException($"--gateway '{gateway}' is not host:port (for example 127.0.0.1:30000); the port is the silo's gateway port");
            }
        }

        return gateways;
    }

    /// <summary>The host and port of a host:port text ([v6]:port too), or null when it is not one.</summary>
    public static (string Host, int Port)? Endpoint(string text)
    {
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            return null;
        }

        var host = text[..colon];
        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            host = host[1..^1];
        }
        else if (host.Contains(':', StringComparison.Ordinal))
        {
            // An IPv6 address without brackets: its last group would read as the port.
            return null;
        }

        return host.Length == 0 ? null : (host, port);
    }

    private static void Check(string? text, string name, Action<string> addError)
    {
        if (text is null)
        {
            return;
        }

        try
        {
            using var _ = JsonDocument.Parse(text);
        }
        catch (JsonException e)
        {
            addError($"{name} is not valid JSON: {e.Message}");
        }
    }

    private static double? ParseSeconds(ArgumentResult result, string name)
    {
        var token = result.Tokens.Count > 0 ? result.Tokens[^1].Value : null;
        if (token is null)
        {
            return null;
        }

        if (double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
        {
            return seconds;
        }

        result.AddError($"{name} is '{token}', not a number of seconds");
        return null;
    }
}

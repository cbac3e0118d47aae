using System.Text.Json;
using DSPex.Orleans.Client.Errors;
using DSPex.Orleans.Contracts;

namespace DSPex.Orleans.Cli;

/// <summary>
/// How every failure of a command reaches the user: one line on stderr, "error: Kind: message", and a non-zero
/// exit code. Never a stack trace: the silo's log has those.
/// </summary>
internal static class CliErrors
{
    public const int Failed = 2;

    public const int Unreachable = 3;

    /// <summary>The cluster refused the caller's credential or scope: a script can tell "fix the key" from "retry".</summary>
    public const int Refused = 4;

    public static async Task<int> ReportAsync(Func<Task<int>> action, CancellationToken cancellationToken)
    {
        try
        {
            return await action();
        }
        catch (Exception e)
        {
            var (kind, message) = Describe(e, cancellationToken);
            return Print(kind, message, kind is DSPexErrorKind.Unauthenticated or DSPexErrorKind.Forbidden ? Refused : Failed);
        }
    }

    public static int Print(DSPexErrorKind kind, string message, int exitCode)
    {
        Console.Error.WriteLine($"error: {kind}: {OneLine(message)}");
        return exitCode;
    }

    /// <summary>Seconds from the command line as a deadline or TTL; refused like the library refuses a bad value.</summary>
    public static TimeSpan? Seconds(double? seconds, string option)
    {
        if (seconds is not { } value)
        {
            return null;
        }

        if (double.IsNaN(value) || value <= 0 || value > RequestLimits.MaxTimeout.TotalSeconds)
        {
            throw new InvalidArgumentsException($"{option} is {value}; give a positive number of seconds up to {RequestLimits.MaxTimeout.TotalSeconds:0}");
        }

        return TimeSpan.FromSeconds(value);
    }

    private static (DSPexErrorKind Kind, string Message) Describe(Exception e, CancellationToken cancellationToken) => e switch
    {
        DSPexException typed => (typed.Kind, typed.Message),
        OperationCanceledException when cancellationToken.IsCancellationRequested => (DSPexErrorKind.Cancelled, "interrupted"),
        JsonException json => (DSPexErrorKind.InvalidArguments, $"not valid JSON: {json.Message}"),
        ArgumentException argument => (DSPexErrorKind.InvalidArguments, argument.Message),
        _ => (DSPexErrorKind.Internal, $"{e.GetType().Name}: {e.Message}"),
    };

    private static string OneLine(string text)
    {
        var line = text.ReplaceLineEndings(" ").Trim();
        return line.Length <= 2000 ? line : line[..2000] + "…";
    }
}

using System.CommandLine;
using DSPex.Orleans.Client.Errors;
using DSPex.Orleans.Contracts;

namespace DSPex.Orleans.Cli;

/// <summary>
/// `--pool NAME` of the commands that run something: the pool (configured under DSPex:Pools:NAME on the silos) the
/// call runs in. Unset routes by command, as the library does. A name that is not a pool name is refused here, naming
/// the option; a name no silo runs is refused by the cluster, listing its pools. Naming a pool needs no scope of its
/// own: the caller's key still needs the command's scopes.
/// </summary>
internal static class PoolOption
{
    public const string Name = "--pool";

    public static Option<string?> Create(string description) => new(Name) { Description = description };

    /// <summary>The option's value, or null when it is not given; a malformed name throws InvalidArguments.</summary>
    public static string? Value(ParseResult parse, Option<string?> option)
    {
        var pool = parse.GetValue(option);
        if (pool is not null && PoolNames.Check(pool, Name) is { } invalid)
        {
            throw new InvalidArgumentsException(invalid.Message);
        }

        return pool;
    }
}

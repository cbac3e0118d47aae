using DSPex.Orleans.Contracts;

namespace DSPex.Orleans.Routing;

/// <summary>
/// Which pool runs a request: the one it names; else the one pool whose adapters register its command; the
/// default pool for the bridge's built-in commands (every pool has them) and for a command no pool registers (its
/// worker answers UnknownCommand, which <see cref="WithOffers"/> completes with what each pool offers). A command two
/// pools register needs the caller to name the pool. A pool's commands are learned from its first started worker (and
/// kept after its workers retire), so a named pool of minimum 0 that never started is reached by its name only: a
/// call routed by command goes to the default pool, whose UnknownCommand says so.
/// </summary>
internal static class PoolRoute
{
    // Enough to find the right command in an error message, bounded so a pool of thousands keeps it short.
    private const int ListedCommandsPerPool = 20;

    public static (string? Pool, ExecuteError? Error) Resolve(string command, string? requested, PoolDirectory directory)
    {
        if (requested is not null)
        {
            if (PoolNames.Check(requested, "pool") is { } invalid)
            {
                return (null, invalid);
            }

            return directory.Runs(requested) || requested == PoolNames.Default
                ? (requested, null)
                : (null, new ExecuteError(DSPexErrorKind.InvalidArguments, $"no silo runs a pool named '{requested}'; the cluster's pools: {Names(directory)}"));
        }

        var offering = directory.PoolsOffering(command);
        if (offering.Count == 1)
        {
            return (offering[0], null);
        }

        if (offering.Count > 1)
        {
            return (null, new ExecuteError(DSPexErrorKind.InvalidArguments,
                $"command '{command}' is registered by the pools {string.Join(", ", offering)}; name the pool to run it in"));
        }

        return (PoolNames.Default, null);
    }

    /// <summary>
    /// An UnknownCommand answer to a request routed by command, completed with what each pool of the cluster offers
    /// when there is more than one (the caller may have meant another pool's command).
    /// </summary>
    public static ExecuteResponse WithOffers(string command, ExecuteResponse response, PoolDirectory directory) =>
        response.Error is { Kind: DSPexErrorKind.UnknownCommand } error && directory.PoolNames.Count > 1
            ? response with { Error = error with { Message = $"no pool registers the command '{command}': {Offers(directory)}" } }
            : response;

    private static string Names(PoolDirectory directory) =>
        directory.PoolNames.Count == 0 ? PoolNames.Default : string.Join(", ", directory.PoolNames.Order(StringComparer.Ordinal));

    private static string Offers(PoolDirectory directory) =>
        string.Join("; ", directory.PoolNames.Order(StringComparer.Ordinal).Select(pool =>
        {
            var commands = directory.CommandsOf(pool);
            var listed = string.Join(", ", commands.Take(ListedCommandsPerPool));
            var more = commands.Count > ListedCommandsPerPool ? $" and {commands.Count - ListedCommandsPerPool} more" : "";
            return directory.HasReported(pool)
                ? commands.Count == 0 ? $"pool {pool} offers the built-in commands only" : $"pool {pool} offers {listed}{more}"
                : $"pool {pool} has not started a worker yet, so its commands are not known (a pool that starts on demand learns them on its first call: name the pool to run there)";
        }));
}

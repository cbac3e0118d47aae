using DSPex.Orleans.Contracts;
using DSPex.Orleans.Processes;
using DSPex.Orleans.Routing;
using Orleans.Serialization.Invocation;

namespace DSPex.Orleans.Security;

/// <summary>
/// An UnknownCommand answer to a credential whose scopes do not cover every command: the worker's (or the router's)
/// listing of what exists is replaced by the commands of the cluster that this credential may run, so a scoped key
/// never learns the names of commands outside its scopes (docs/security.md).
/// </summary>
internal static class ScopedUnknownCommand
{
    private const int Listed = 20;

    /// <summary>True when every command name is within the principal's scopes (then the full listing may be shown).</summary>
    public static bool CoversEveryCommand(CallerPrincipal principal) =>
        principal.Scopes.Any(granted => granted.EndsWith('*') && Scopes.Command("").StartsWith(granted[..^1], StringComparison.Ordinal));

    /// <summary>The response to give the principal: <paramref name="result"/> itself unless it is an UnknownCommand, then with a listing filtered by scope.</summary>
    public static async ValueTask<object?> FilterAsync(object? result, IInvokable call, CallerPrincipal principal, ClusterPools? cluster)
    {
        if (result is not ExecuteResponse { Error: { Kind: DSPexErrorKind.UnknownCommand } error } response)
        {
            return result;
        }

        var commands = new SortedSet<string>(BridgeBuiltins.Commands, StringComparer.Ordinal);
        if (cluster is not null)
        {
            var directory = await cluster.CurrentAsync();
            foreach (var pool in directory.PoolNames)
            {
                commands.UnionWith(directory.CommandsOf(pool));
            }
        }

        var allowed = commands.Where(command => principal.Allows(Scopes.Command(command))).ToList();
        var listing = allowed.Count == 0 ? "no registered command"
            : string.Join(", ", allowed.Take(Listed)) + (allowed.Count > Listed ? $" and {allowed.Count - Listed} more" : "");
        return response with { Error = error with { Message = $"unknown command '{ShownText.Of(CommandOf(call))}'; this credential may run: {listing}" } };
    }

    private static string? CommandOf(IInvokable call)
    {
        for (var i = 0; i < call.GetArgumentCount(); i++)
        {
            if (call.GetArgument(i) is ExecuteRequest request)
            {
                return request.Command;
            }
        }

        return null;
    }
}

using DSPex.Orleans.Contracts;
using DSPex.Orleans.Processes;
using DSPex.Orleans.Security;
using DSPex.Orleans.Workers.Bridge;
using Orleans.Serialization.Invocation;

namespace DSPex.Orleans.Routing;

/// <summary>
/// An UnknownCommand answer to a credential whose scopes do not cover every command: the worker's (or the router's)
/// listing of what exists is replaced by the commands of the cluster that this credential may run, so a scoped key
/// never learns the names of commands outside its scopes (docs/security.md), from an execute answer or a stream's items.
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

        return response with { Error = error with { Message = await MessageAsync(CommandOf(call), principal, cluster) } };
    }

    /// <summary>
    /// A stream's items as the calling credential may see them: a stream of a command no pool has ends with an
    /// UnknownCommand item, whose listing is filtered like an execute answer's. The caller is the principal the
    /// trust boundary put in the RequestContext; without one (a call from inside the cluster), or when its scopes
    /// cover every command, the items pass untouched.
    /// </summary>
    public static IAsyncEnumerable<StreamItem> ForCaller(IAsyncEnumerable<StreamItem> items, string? command, IServiceProvider services) =>
        RequestContext.Get(CallCredentials.Principal) is string name
        && services.GetService(typeof(ApiKeyAuthenticator)) is ApiKeyAuthenticator authenticator
        && authenticator.Find(name) is { } principal && !CoversEveryCommand(principal)
            ? FilterStream(items, command, principal, services.GetService(typeof(ClusterPools)) as ClusterPools)
            : items;

    private static async IAsyncEnumerable<StreamItem> FilterStream(IAsyncEnumerable<StreamItem> items, string? command, CallerPrincipal principal, ClusterPools? cluster)
    {
        await foreach (var item in items)
        {
            yield return item.Error is { Kind: DSPexErrorKind.UnknownCommand } error
                ? item with { Error = error with { Message = await MessageAsync(command, principal, cluster) } }
                : item;
        }
    }

    private static async Task<string> MessageAsync(string? command, CallerPrincipal principal, ClusterPools? cluster)
    {
        var commands = new SortedSet<string>(BridgeBuiltins.Commands, StringComparer.Ordinal);
        if (cluster is not null)
        {
            var directory = await cluster.CurrentAsync();
            foreach (var pool in directory.PoolNames)
            {
                commands.UnionWith(directory.CommandsOf(pool));
            }
        }

        var allowed = commands.Where(c => principal.Allows(Scopes.Command(c))).ToList();
        var listing = allowed.Count == 0 ? "no registered command"
            : string.Join(", ", allowed.Take(Listed)) + (allowed.Count > Listed ? $" and {allowed.Count - Listed} more" : "");
        return $"unknown command '{ShownText.Of(command)}'; this credential may run: {listing}";
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

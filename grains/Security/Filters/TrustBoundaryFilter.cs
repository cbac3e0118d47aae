using Microsoft.Extensions.DependencyInjection;
using DSPex.Orleans.Contracts;
using DSPex.Orleans.Processes;
using DSPex.Orleans.Routing;
using DSPex.Orleans.Workers.Bridge;
using Microsoft.Extensions.Logging;

namespace DSPex.Orleans.Security.Filters;

/// <summary>
/// Every call from outside the cluster passes here before anything runs: its API key is checked (and removed,
/// so it travels no further), the call must target a public facade, the credential must hold the call's scopes,
/// (cluster-only request fields are stripped by <see cref="ClusterContextFilter"/>). The authenticated principal's name then follows the call
/// through the cluster in its RequestContext. Calls made inside the cluster pass untouched.
/// </summary>
internal sealed partial class TrustBoundaryFilter(
    ApiKeyAuthenticator authenticator, RefusalLogThrottle refusals, AuthFailureThrottle throttle, IServiceProvider services, ILogger<TrustBoundaryFilter> logger)
    : IIncomingGrainCallFilter
{
    // Orleans' Constants.ManifestProviderType (internal to Orleans): the system-target prefix and its name.
    private const string ManifestSystemTarget = GrainTypePrefix.SystemTargetPrefix + "manifest";

    public Task Invoke(IIncomingGrainCallContext context)
    {
        if (!CallOrigin.IsExternal(context))
        {
            return context.Invoke();
        }

        // Whatever principal a caller wrote itself is never believed.
        RequestContext.Remove(CallCredentials.Principal);
        var key = RequestContext.Get(CallCredentials.ApiKey) as string;
        RequestContext.Remove(CallCredentials.ApiKey);

        // A client reads the cluster manifest (which grain types exist) from its gateway before any call; every
        // other system target (silo control, membership, directory) is the cluster's own.
        if (context.TargetId.Type.IsSystemTarget())
        {
            if (context.TargetId.Type.ToString() == ManifestSystemTarget)
            {
                return context.Invoke();
            }

            LogInternalRefused(logger, "(unauthenticated)", context.TargetId.Type.ToString()!);
            throw new DSPexRequestException(DSPexErrorKind.Forbidden, $"'{context.TargetId.Type}' answers calls from inside the cluster only", "internal");
        }

        // The sender's client id names its connection (a forged id would send the answer elsewhere, so a key guesser
        // has to use its own): past the limit of wrong keys it is refused before its key is even hashed.
        var connection = "gateway:" + context.SourceId?.ToString();
        if (throttle.IsRefused(connection, out var retryAfter))
        {
            if (refusals.ShouldLog(out var unloggedBefore))
            {
                LogUnauthenticated(logger, context.InterfaceName, context.MethodName, "its connection is refused after repeated wrong API keys", unloggedBefore);
            }

            throw new DSPexRequestException(DSPexErrorKind.Unauthenticated, throttle.RefusalMessage(retryAfter));
        }

        var principal = authenticator.Authenticate(key);
        if (principal is null)
        {
            throttle.RecordFailure(connection);
            var why = ApiKeyAuthenticator.WhyRefused(key);
            if (refusals.ShouldLog(out var unlogged))
            {
                LogUnauthenticated(logger, context.InterfaceName, context.MethodName, why.Reason, unlogged);
            }

            throw new DSPexRequestException(DSPexErrorKind.Unauthenticated, why.Message);
        }

        if (!PublicFacades.Contains(context.TargetContext.GrainInstance))
        {
            LogInternalRefused(logger, principal.Name, context.TargetId.Type.ToString()!);
            throw new DSPexRequestException(DSPexErrorKind.Forbidden,
                $"'{context.TargetId.Type}' answers calls from inside the cluster only", "internal");
        }

        foreach (var scope in CallPolicy.RequiredScopes(context.Request))
        {
            if (!principal.Allows(scope))
            {
                // The scope may name what the caller sent (command:<name>): shown bounded and escaped.
                var shown = ShownText.Of(scope);
                LogForbidden(logger, principal.Name, shown);
                throw new DSPexRequestException(DSPexErrorKind.Forbidden, $"credential '{principal.Name}' lacks the scope '{shown}'", shown);
            }
        }

        RequestContext.Set(CallCredentials.Principal, principal.Name);
        return ScopedUnknownCommand.CoversEveryCommand(principal) ? context.Invoke() : InvokeScopedAsync(context, principal);
    }

    /// <summary>A credential that may not run every command: an UnknownCommand answer lists only what it may run.</summary>
    private async Task InvokeScopedAsync(IIncomingGrainCallContext context, CallerPrincipal principal)
    {
        await context.Invoke();
        context.Result = await ScopedUnknownCommand.FilterAsync(context.Result, context.Request, principal, services.GetService<ClusterPools>());
    }

    // At most one line per RefusalLogThrottle.Interval; the count says how many refusals went unlogged before it.
    [LoggerMessage(EventId = 1300, Level = LogLevel.Warning, Message = "Refused {Interface}.{Method} from a client: {Reason} ({Unlogged} more refused without a log line since the previous one)")]
    private static partial void LogUnauthenticated(ILogger logger, string @interface, string method, string reason, long unlogged);

    [LoggerMessage(EventId = 1301, Level = LogLevel.Warning, Message = "Refused a call of credential '{Principal}' to internal grain '{GrainType}'")]
    private static partial void LogInternalRefused(ILogger logger, string principal, string grainType);

    [LoggerMessage(EventId = 1302, Level = LogLevel.Information, Message = "Refused a call of credential '{Principal}': outside scope '{Scope}'")]
    private static partial void LogForbidden(ILogger logger, string principal, string scope);
}

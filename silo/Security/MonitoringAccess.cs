using System.Net;
using DSPex.Orleans.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace DSPex.Orleans.Silo.Security;

/// <summary>
/// /metrics and /dashboard (whose trace page streams live logs) are served to a request from loopback, or to one
/// carrying "Authorization: Bearer &lt;API key&gt;" of a credential with the "stats" scope (how Prometheus scrapes
/// from another pod). Anything else gets 401. /healthz and /readyz stay open for the kubelet's probes.
/// </summary>
internal static class MonitoringAccess
{
    private static readonly string[] GuardedPaths = ["/metrics", "/dashboard"];

    public static void UseMonitoringAccess(this WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            if (!GuardedPaths.Any(path => context.Request.Path.StartsWithSegments(path)) || IsAllowed(context))
            {
                await next(context);
                return;
            }

            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            context.Response.Headers.WWWAuthenticate = "Bearer";
        });
    }

    private static bool IsAllowed(HttpContext context)
    {
        if (context.Connection.RemoteIpAddress is { } remote && IPAddress.IsLoopback(remote))
        {
            return true;
        }

        var header = context.Request.Headers.Authorization.ToString();
        const string bearer = "Bearer ";
        if (!header.StartsWith(bearer, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var authenticator = context.RequestServices.GetRequiredService<ApiKeyAuthenticator>();
        // With no keys configured every key "authenticates" as anonymous: only loopback may read then. The key is
        // passed as sent: the authenticator applies the one whitespace rule the gateway uses too.
        return authenticator.RequiresCredentials
            && authenticator.Authenticate(header[bearer.Length..]) is { } principal
            && principal.Allows(Scopes.Stats);
    }
}

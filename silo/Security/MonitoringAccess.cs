using System.Net;
using DSPex.Orleans.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace DSPex.Orleans.Silo.Security;

/// <summary>
/// /metrics and /dashboard (whose trace page streams live logs) are served to a request from loopback, or to one
/// carrying "Authorization: Bearer &lt;API key&gt;" of a credential with the "stats" scope (how Prometheus scrapes
/// from another pod). Anything else gets 401; a connection that presented DSPex:Security:AuthFailureLimit wrong keys
/// within the window gets 429 with Retry-After for one window (AuthFailureThrottle). /healthz and /readyz stay open.
/// </summary>
internal static class MonitoringAccess
{
    private static readonly string[] GuardedPaths = ["/metrics", "/dashboard"];

    public static void UseMonitoringAccess(this WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            if (!GuardedPaths.Any(path => context.Request.Path.StartsWithSegments(path)) || IsLoopback(context))
            {
                await next(context);
                return;
            }

            // A connection past the limit of wrong keys is refused before its key is hashed: 429 with Retry-After.
            var throttle = context.RequestServices.GetRequiredService<AuthFailureThrottle>();
            var connection = "http:" + context.Connection.Id;
            if (throttle.IsRefused(connection, out var retryAfter))
            {
                context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                context.Response.Headers.RetryAfter = Math.Ceiling(retryAfter.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
                return;
            }

            if (IsAllowed(context, out var presentedKey))
            {
                await next(context);
                return;
            }

            if (presentedKey)
            {
                throttle.RecordFailure(connection);
            }

            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            context.Response.Headers.WWWAuthenticate = "Bearer";
        });
    }

    private static bool IsLoopback(HttpContext context) =>
        context.Connection.RemoteIpAddress is { } remote && IPAddress.IsLoopback(remote);

    private static bool IsAllowed(HttpContext context, out bool presentedKey)
    {
        var header = context.Request.Headers.Authorization.ToString();
        const string bearer = "Bearer ";
        presentedKey = header.StartsWith(bearer, StringComparison.OrdinalIgnoreCase);
        if (!presentedKey)
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

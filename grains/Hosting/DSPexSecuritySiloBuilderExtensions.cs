using DSPex.Orleans.Configuration;
using DSPex.Orleans.Security;
using DSPex.Orleans.Security.Filters;
using Microsoft.Extensions.DependencyInjection;

namespace DSPex.Orleans.Hosting;

/// <summary>Adds the DSPex trust boundary to a silo.</summary>
public static class DSPexSecuritySiloBuilderExtensions
{
    /// <summary>
    /// Adds the trust boundary: every call from outside the cluster is authenticated (API keys from
    /// "DSPex:Security:ApiKeys", anonymous when none are configured), authorised by scope, and allowed only on
    /// the public facade grains. Options bind from "DSPex:Security".
    /// </summary>
    public static ISiloBuilder AddDSPexSecurity(this ISiloBuilder builder, Action<DSPexSecurityOptions>? configure = null)
    {
        builder.Services.AddValidatedOptions<DSPexSecurityOptions, DSPexSecurityOptionsValidator>(DSPexSecurityOptions.SectionName, configure);
        builder.Services.AddSingleton<ApiKeyAuthenticator>();
        builder.Services.AddSingleton(services => new RefusalLogThrottle(services.GetService<TimeProvider>() ?? TimeProvider.System));
        builder.Services.AddSingleton(services => new AuthFailureThrottle(
            services.GetRequiredService<Microsoft.Extensions.Options.IOptions<DSPexSecurityOptions>>(), services.GetService<TimeProvider>() ?? TimeProvider.System));
        builder.AddIncomingGrainCallFilter<TrustBoundaryFilter>();
        return builder;
    }
}

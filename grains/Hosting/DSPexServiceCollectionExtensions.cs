using DSPex.Orleans.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace DSPex.Orleans.Hosting;

/// <summary>What every DSPex silo-builder extension registers the same way.</summary>
internal static class DSPexServiceCollectionExtensions
{
    /// <summary>
    /// Binds an options section, applies the caller's delegate, and checks the result with its validator when the host
    /// starts: a co-hosting application gets the checks the DSPex silo gets. Safe to call more than once.
    /// </summary>
    public static OptionsBuilder<TOptions> AddValidatedOptions<TOptions, TValidator>(this IServiceCollection services, string section, Action<TOptions>? configure = null)
        where TOptions : class
        where TValidator : class, IValidateOptions<TOptions>
    {
        var options = services.AddOptions<TOptions>();
        if (!services.Any(d => d.ServiceType == typeof(IValidateOptions<TOptions>) && d.ImplementationType == typeof(TValidator)))
        {
            options.BindConfiguration(section).ValidateOnStart();
            services.AddSingleton<IValidateOptions<TOptions>, TValidator>();
        }

        if (configure is not null)
        {
            options.Configure(configure);
        }

        return options;
    }

    /// <summary>The one DSPex meter (see <see cref="DSPexInstruments"/>).</summary>
    public static IServiceCollection AddDSPexInstruments(this IServiceCollection services)
    {
        services.AddMetrics();
        services.TryAddSingleton<DSPexInstruments>();
        return services;
    }
}

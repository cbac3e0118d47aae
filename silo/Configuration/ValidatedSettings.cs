using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace DSPex.Orleans.Silo.Configuration;

/// <summary>
/// Settings the host reads while it is being built (ports, endpoints, Redis): checked at once, since the build
/// already uses them, and registered like the library's options so their validator also runs at start.
/// </summary>
internal static class ValidatedSettings
{
    public static TOptions Read<TOptions, TValidator>(IConfiguration configuration, IServiceCollection services, string section)
        where TOptions : class, new()
        where TValidator : class, IValidateOptions<TOptions>, new()
    {
        var options = configuration.GetSection(section).Get<TOptions>() ?? new TOptions();
        var result = new TValidator().Validate(Options.DefaultName, options);
        if (result.Failed)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(TOptions), result.Failures);
        }

        services.AddOptions<TOptions>().BindConfiguration(section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<TOptions>, TValidator>();
        return options;
    }
}

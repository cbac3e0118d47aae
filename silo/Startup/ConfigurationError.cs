using DSPex.Orleans.Client.Hosting.Tls;
using DSPex.Orleans.Security;
using Microsoft.Extensions.Options;

namespace DSPex.Orleans.Silo.Startup;

/// <summary>The one-line message of a failure that is the configuration's fault, or null for any other failure.</summary>
internal static class ConfigurationError
{
    public static string? Describe(Exception e) => e switch
    {
        OptionsValidationException validation => string.Join(" ", validation.Failures),
        SiloConfigurationException or TlsConfigurationException or InvalidSecurityConfigurationException => e.Message,
        _ => null,
    };
}

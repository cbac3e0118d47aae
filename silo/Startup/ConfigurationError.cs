using DSPex.Orleans.Client.Hosting.Tls;
using DSPex.Orleans.ProcessSafety;
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
        // A state directory another user could change: the operator's to fix, so one line and exit 2, not a crash.
        UnsafeStateDirectoryException => e.Message,
        // The default pool has no worker (every worker failed its first start): the silo does not start, exit 2.
        DSPex.Orleans.Pool.DefaultPoolStartException => e.Message,
        // Orleans wraps what a lifecycle stage threw (OrleansLifecycleCanceledException, AggregateException): the
        // configuration's fault is found inside.
        AggregateException aggregate => aggregate.InnerExceptions.Select(Describe).FirstOrDefault(found => found is not null),
        { InnerException: { } inner } => Describe(inner),
        _ => null,
    };
}

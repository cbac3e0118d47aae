using DSPex.Orleans.Configuration;
using DSPex.Orleans.Diagnostics;
using Microsoft.Extensions.Configuration;

namespace DSPex.Orleans.Silo.Startup;

/// <summary>
/// The names under DSPex:Pools are pool names the silo can run (not "default", which is DSPex:Pool, and only a-z, 0-9,
/// '-' and '_'): checked before the pools are added, so a bad name stops the start with one line naming the section
/// (the same words as doctor's pools check) rather than an exception from the silo builder.
/// </summary>
internal static class NamedPoolNames
{
    public static void Verify(IConfiguration configuration)
    {
        foreach (var pool in configuration.GetSection(DSPexPoolOptions.NamedPoolsSectionName).GetChildren())
        {
            if (PoolsCheck.Refusal(pool.Key) is { } why)
            {
                throw new SiloConfigurationException($"{DSPexPoolOptions.NamedPoolsSectionName}:{pool.Key}: {why}");
            }
        }
    }
}

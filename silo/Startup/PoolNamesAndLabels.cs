using DSPex.Orleans.Configuration;
using DSPex.Orleans.Diagnostics;
using Microsoft.Extensions.Configuration;

namespace DSPex.Orleans.Silo.Startup;

/// <summary>
/// The names under DSPex:Pools are pool names the silo can run (not "default", which is DSPex:Pool, and only a-z, 0-9,
/// '-' and '_'), and DSPex:Labels is a list: checked before the pools are added, so a mistake stops the start with one
/// line naming the setting (the words of doctor's pools check) rather than an exception from the silo builder, or a
/// labelled pool that silently never runs.
/// </summary>
internal static class PoolNamesAndLabels
{
    public static void Verify(IConfiguration configuration)
    {
        if (PoolsCheck.LabelsRefusal(configuration.GetSection(PoolsCheck.LabelsSetting).Value) is { } labels)
        {
            throw new SiloConfigurationException($"{PoolsCheck.LabelsSetting}: {labels}");
        }

        foreach (var pool in configuration.GetSection(DSPexPoolOptions.NamedPoolsSectionName).GetChildren())
        {
            if (PoolsCheck.Refusal(pool.Key) is { } why)
            {
                throw new SiloConfigurationException($"{DSPexPoolOptions.NamedPoolsSectionName}:{pool.Key}: {why}");
            }
        }
    }
}

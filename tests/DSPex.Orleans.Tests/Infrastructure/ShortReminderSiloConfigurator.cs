using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.TestingHost;

namespace DSPex.Orleans.Tests.Infrastructure;

/// <summary>Orleans rejects reminder periods under a minute by default; tests of periodic sweeps need seconds.</summary>
public sealed class ShortReminderSiloConfigurator : ISiloConfigurator
{
    public void Configure(ISiloBuilder siloBuilder) =>
        siloBuilder.Configure<ReminderOptions>(o => o.MinimumReminderPeriod = TimeSpan.FromSeconds(1));
}

using DSPex.Orleans.Hosting;
using Orleans.TestingHost;

namespace DSPex.Orleans.Tests.Infrastructure;

/// <summary>Every test silo gets the real worker pool and sessions; options come from the cluster's properties.</summary>
public sealed class PoolTestSiloConfigurator : ISiloConfigurator
{
    public void Configure(ISiloBuilder siloBuilder) => siloBuilder.UseInMemoryReminderService().AddDSPexWorkerPool().AddDSPexSessions();
}

using System.Collections.Concurrent;
using DSPex.Orleans.Sessions;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace DSPex.Orleans.Tests.Infrastructure;

/// <summary>Session time that a test moves by hand, so TTLs pass without waiting. Orleans keeps its own clock.</summary>
public sealed class ManualSessionClock : TimeProvider
{
    private long _nowTicks = new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero).UtcTicks;

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _nowTicks), TimeSpan.Zero);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _nowTicks, by.Ticks);
}

/// <summary>Gives the test silos of one cluster the manual clock registered under the cluster's key.</summary>
public sealed class ManualSessionClockConfigurator : ISiloConfigurator
{
    public const string Key = "Test:SessionClock";

    private static readonly ConcurrentDictionary<string, ManualSessionClock> Clocks = new();

    /// <summary>Adds the configurator to a cluster being built and returns the clock its silos will use.</summary>
    public static ManualSessionClock AddTo(TestClusterBuilder builder)
    {
        var key = Guid.NewGuid().ToString("N");
        var clock = Clocks.GetOrAdd(key, _ => new ManualSessionClock());
        builder.Properties[Key] = key;
        builder.AddSiloBuilderConfigurator<ManualSessionClockConfigurator>();
        return clock;
    }

    public void Configure(ISiloBuilder siloBuilder) =>
        siloBuilder.Services.AddSingleton(new SessionClock(Clocks[siloBuilder.Configuration[Key]!]));
}

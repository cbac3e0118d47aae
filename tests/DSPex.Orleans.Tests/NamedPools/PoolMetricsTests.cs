using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using DSPex.Orleans.Client;
using DSPex.Orleans.Pool;
using DSPex.Orleans.Telemetry;

namespace DSPex.Orleans.Tests.NamedPools;

/// <summary>Each pool's requests and gauges carry its name in the "pool" tag (a name from configuration, never from a caller).</summary>
[Trait("Category", "Cluster")]
[Collection(NamedPoolsCollection.Name)]
public sealed class PoolMetricsTests(NamedPoolsFixture fixture)
{
    [Fact]
    public async Task Requests_and_worker_gauges_are_tagged_with_their_pool()
    {
        var requests = new ConcurrentBag<(string? Pool, string? Command)>();
        var workers = new ConcurrentDictionary<string, int>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == InstrumentNames.MeterName && instrument.Name is InstrumentNames.Requests or InstrumentNames.PoolWorkers)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, _, tags, _) => requests.Add((Tag(tags, PoolInstruments.PoolTag), Tag(tags, "command"))));
        listener.SetMeasurementEventCallback<int>((_, value, tags, _) => workers.AddOrUpdate(Tag(tags, PoolInstruments.PoolTag) ?? "", value, (_, n) => n + value));
        listener.Start();

        await fixture.Client.ExecuteRawAsync("alt_where");
        await fixture.Client.ExecuteRawAsync("ping", options: new ExecuteOptions { Pool = "alt" });
        await fixture.Client.ExecuteRawAsync("ping");
        listener.RecordObservableInstruments();

        Assert.Contains(("alt", "alt_where"), requests);
        Assert.Contains(("alt", "ping"), requests);
        Assert.Contains(("default", "ping"), requests);
        // Two silos: default 2 + 2 workers, alt 1 + 1, gpu 1 (labelled silo only), broken none.
        Assert.Equal(4, workers["default"]);
        Assert.Equal(2, workers["alt"]);
        Assert.Equal(1, workers["gpu"]);
        Assert.Equal(0, workers["broken"]);
    }

    private static string? Tag(ReadOnlySpan<KeyValuePair<string, object?>> tags, string key)
    {
        foreach (var tag in tags)
        {
            if (tag.Key == key)
            {
                return tag.Value as string;
            }
        }

        return null;
    }
}

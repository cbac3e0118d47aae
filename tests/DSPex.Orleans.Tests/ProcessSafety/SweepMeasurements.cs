using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using DSPex.Orleans.ProcessSafety;
using DSPex.Orleans.Telemetry;

namespace DSPex.Orleans.Tests.ProcessSafety;

/// <summary>Listens to the reaper's instruments on the "DSPex.Orleans" meter, as an OpenTelemetry exporter would.</summary>
public sealed class SweepMeasurements : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<(string Instrument, long Value, Dictionary<string, object?> Tags)> _seen = new();

    public SweepMeasurements()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == InstrumentNames.MeterName && instrument.Name.StartsWith("dspex.reaper.", StringComparison.Ordinal))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.Start();
    }

    private void Add(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copy = new Dictionary<string, object?>();
        foreach (var tag in tags)
        {
            copy[tag.Key] = tag.Value;
        }

        _seen.Enqueue((instrument.Name, value, copy));
    }

    public long Sum(string instrument, string? silo = null, (string Key, string Value)? tag = null) =>
        _seen.Where(m => m.Instrument == instrument
                && (silo is null || Equals(m.Tags.GetValueOrDefault("silo"), silo))
                && (tag is not { } t || Equals(m.Tags.GetValueOrDefault(t.Key), t.Value)))
            .Sum(m => m.Value);

    public void Dispose() => _listener.Dispose();
}

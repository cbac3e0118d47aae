using System.Diagnostics.Metrics;

namespace DSPex.Orleans.Telemetry;

/// <summary>
/// The one meter every DSPex instrument is created on (its name and theirs in <see cref="InstrumentNames"/>). One per silo service
/// provider, created through <see cref="IMeterFactory"/>, so silos sharing a process (a test cluster) keep apart.
/// </summary>
internal sealed class DSPexInstruments(IMeterFactory meters)
{
    public Meter Meter { get; } = meters.Create(InstrumentNames.MeterName);
}

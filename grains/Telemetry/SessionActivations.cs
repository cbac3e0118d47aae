namespace DSPex.Orleans.Telemetry;

/// <summary>Counts the session grains active on this silo, for the <see cref="InstrumentNames.SessionsActive"/> gauge.</summary>
internal sealed class SessionActivations : ILifecycleParticipant<ISiloLifecycle>
{
    private int _count;

    public SessionActivations(DSPexInstruments instruments) =>
        instruments.Meter.CreateObservableGauge(InstrumentNames.SessionsActive, () => Count, "{session}", "Session grains active on this silo");

    public int Count => Volatile.Read(ref _count);

    public void Activated() => Interlocked.Increment(ref _count);

    public void Deactivated() => Interlocked.Decrement(ref _count);

    // Resolved at silo start, not at the first session, so the gauge reads 0 from the start.
    public void Participate(ISiloLifecycle lifecycle)
    {
    }
}

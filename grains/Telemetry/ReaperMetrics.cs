using System.Diagnostics.Metrics;
using DSPex.Orleans.Contracts;
using DSPex.Orleans.Workers.ProcessSafety;

namespace DSPex.Orleans.Telemetry;

/// <summary>Sweep outcomes, tagged by silo and trigger.</summary>
internal sealed class ReaperMetrics
{
    private readonly Counter<long> _sweeps;
    private readonly Counter<long> _found;
    private readonly Counter<long> _terminated;
    private readonly Counter<long> _errors;
    private readonly Histogram<int> _preserved;

    public ReaperMetrics(DSPexInstruments instruments)
    {
        var meter = instruments.Meter;
        _sweeps = meter.CreateCounter<long>(InstrumentNames.ReaperSweeps, description: "Orphan sweeps run");
        _found = meter.CreateCounter<long>(InstrumentNames.ReaperOrphansFound, description: "Processes proven ours and ownerless");
        _terminated = meter.CreateCounter<long>(InstrumentNames.ReaperOrphansTerminated, description: "Orphans ended (tag mode: graceful or forced)");
        _errors = meter.CreateCounter<long>(InstrumentNames.ReaperErrors, description: "Orphans that could not be ended, unreadable registry files");
        _preserved = meter.CreateHistogram<int>(InstrumentNames.ReaperPreserved, description: "Processes with this cluster's marker a sweep left alone");
    }

    public void Record(SweepReport report)
    {
        var silo = new KeyValuePair<string, object?>("silo", report.Silo);
        var trigger = new KeyValuePair<string, object?>("trigger", report.Trigger);
        _sweeps.Add(1, silo, trigger);
        _found.Add(report.Found, silo, trigger);
        _terminated.Add(report.TerminatedGracefully, silo, trigger, new("mode", "graceful"));
        _terminated.Add(report.TerminatedForcibly, silo, trigger, new("mode", "forced"));
        _errors.Add(report.Errors, silo, trigger);
        _preserved.Record(report.Preserved, silo, trigger);
    }
}

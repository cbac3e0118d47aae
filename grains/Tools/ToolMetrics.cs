using System.Diagnostics.Metrics;
using DSPex.Orleans.Telemetry;

namespace DSPex.Orleans.Tools.Brokering;

/// <summary>Tool calls counted and timed by tool and outcome. The tool label is a registered name or "other" (Python's text never becomes a label).</summary>
internal sealed class ToolMetrics(DSPexInstruments instruments)
{
    private readonly Counter<long> _calls = instruments.Meter.CreateCounter<long>(InstrumentNames.ToolCalls, "{call}", "Tool calls from Python, by tool and outcome (error kind or ok)");
    private readonly Histogram<double> _duration = instruments.Meter.CreateHistogram<double>(InstrumentNames.ToolDuration, "ms", "Time a tool call took, by tool");

    public void Record(string toolLabel, string outcome, TimeSpan elapsed)
    {
        var tool = new KeyValuePair<string, object?>("tool", toolLabel);
        _calls.Add(1, tool, new KeyValuePair<string, object?>("outcome", outcome));
        _duration.Record(elapsed.TotalMilliseconds, tool);
    }
}

namespace DSPex.Orleans.Benchmarks.Scenarios.ClientCost;

/// <summary>
/// The delay the floor grain holds an answer back (its floor-delay command), matched cell by cell to the full path's
/// latency: the sweep calls <see cref="Match"/> before each cell of a scenario that uses it. The silo's timers fire at
/// whole milliseconds and late under load, so the delay is calibrated: the first time a cell is met it is the full
/// path's mean less the floor's; afterwards it is corrected by what the scenario's own last round of that cell took
/// beyond its delay. Below about a millisecond (sequential calls on a quiet machine) no delay can match: the control
/// then waits longer than the full path, and says so in its mean latency.
/// </summary>
public sealed class FloorDelayCalibration
{
    private readonly Dictionary<(string Workload, int Callers), int> _lastDelay = [];

    /// <summary>The delay of the cell about to run, in whole milliseconds.</summary>
    public int Milliseconds { get; private set; }

    /// <summary>The floor grain's arguments for that delay.</summary>
    public string ArgsJson { get; private set; } = """{"ms":0}""";

    /// <summary>Sets the delay for (<paramref name="workload"/>, <paramref name="callers"/>) from the latest means of that cell.</summary>
    public void Match(string workload, int callers, double targetMeanMicros, double floorMeanMicros, double? ownLastMeanMicros)
    {
        double overheadMicros = floorMeanMicros;
        if (ownLastMeanMicros is { } own && _lastDelay.TryGetValue((workload, callers), out var last))
        {
            overheadMicros = Math.Max(0, own - last * 1000.0); // what a call of this cell took beyond its delay last time
        }

        var gap = targetMeanMicros - overheadMicros;
        Milliseconds = targetMeanMicros <= floorMeanMicros ? 0 : Math.Clamp((int)Math.Round(gap / 1000), 1, 1000);
        _lastDelay[(workload, callers)] = Milliseconds;
        ArgsJson = $$"""{"ms":{{Milliseconds}}}""";
    }
}

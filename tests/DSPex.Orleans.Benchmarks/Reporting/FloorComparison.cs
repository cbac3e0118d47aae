using DSPex.Orleans.Benchmarks.Measurement;

namespace DSPex.Orleans.Benchmarks.Reporting;

/// <summary>
/// A cluster scenario against Orleans' own floor (orleans-floor: the same client and silo, no pool, no Python) in
/// one cell: CPU and context switches per call of each and their ratio, and what the DSPex path adds per call
/// (cluster minus floor). The physical quantity behind the silo's CPU is its wake-ups: both are here side by side.
/// </summary>
public sealed record FloorComparison(
    string Scenario,
    string Workload,
    int Callers,
    double ClientSiloCpuMicros,
    double FloorClientSiloCpuMicros,
    double CpuRatio,
    double ClientSwitches,
    double FloorClientSwitches,
    double SiloSwitches,
    double FloorSiloSwitches,
    double PythonSwitches,
    double SwitchesRatio,
    double AddedCpuMicros,
    double AddedSwitches,
    double P50Micros,
    double FloorP50Micros)
{
    public const string Floor = "orleans-floor";

    public static IReadOnlyList<FloorComparison> Compare(IReadOnlyList<CellResult> cells)
    {
        var list = new List<FloorComparison>();
        foreach (var cell in cells.Where(c => IsOnFloorConnection(c.Scenario) && c.Calls > 0))
        {
            if (TargetEvaluator.Cell(cells, Floor, cell.Workload, cell.Callers) is not { } floor)
            {
                continue;
            }

            var cpu = cell.BenchCpuMicrosPerCall + cell.SiloCpuMicrosPerCall;
            var floorCpu = floor.BenchCpuMicrosPerCall + floor.SiloCpuMicrosPerCall;
            var switches = cell.Switches ?? new ContextSwitchesPerCall(0, 0, 0, 0, 0, 0);
            var floorSwitches = floor.Switches ?? new ContextSwitchesPerCall(0, 0, 0, 0, 0, 0);
            var clusterTotal = switches.Bench + switches.Silo;
            var floorTotal = floorSwitches.Bench + floorSwitches.Silo;
            list.Add(new FloorComparison(
                cell.Scenario, cell.Workload, cell.Callers,
                Math.Round(cpu, 1), Math.Round(floorCpu, 1), Ratio(cpu, floorCpu),
                switches.Bench, floorSwitches.Bench, switches.Silo, floorSwitches.Silo, switches.Python,
                Ratio(clusterTotal, floorTotal),
                Math.Round(cpu - floorCpu, 1), Math.Round(clusterTotal - floorTotal, 2),
                cell.P50Micros, floor.P50Micros));
        }

        return list;
    }

    /// <summary>Scenarios on the floor's client connection and silo: the cluster path, and the client library's cost scenarios.</summary>
    private static bool IsOnFloorConnection(string scenario) =>
        scenario.StartsWith("cluster-remote", StringComparison.Ordinal) || scenario.StartsWith("client-floor", StringComparison.Ordinal) || scenario == "floor-token" || scenario == "floor-delay";

    private static double Ratio(double value, double floor) => floor <= 0 ? 0 : Math.Round(value / floor, 2);
}

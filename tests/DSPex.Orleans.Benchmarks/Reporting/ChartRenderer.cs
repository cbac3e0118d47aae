using DSPex.Orleans.Benchmarks.Measurement;
using DSPex.Orleans.Benchmarks.Workloads;
using ScottPlot;

namespace DSPex.Orleans.Benchmarks.Reporting;

/// <summary>
/// One PNG: sequential latency percentiles per scenario (log scale, since Python.NET and the cluster sit three
/// orders of magnitude apart), and throughput against callers for each workload.
/// </summary>
public static class ChartRenderer
{
    private static readonly (string Label, Func<CellResult, double> Value)[] Percentiles =
    [
        ("p50", c => c.P50Micros), ("p90", c => c.P90Micros), ("p99", c => c.P99Micros), ("p99.9", c => c.P999Micros),
    ];

    public static void Render(BenchmarkReport report, string path)
    {
        var workloads = report.Cells.Select(c => c.Workload).Distinct().ToList();
        var multiplot = new Multiplot();
        multiplot.AddPlots(1 + workloads.Count);
        multiplot.Layout = new ScottPlot.MultiplotLayouts.Grid(rows: 2, columns: (2 + workloads.Count) / 2);
        LatencyPanel(multiplot.GetPlot(0), report, workloads.Contains(Workload.Ping.Name) ? Workload.Ping.Name : workloads.FirstOrDefault());
        for (var i = 0; i < workloads.Count; i++)
        {
            ThroughputPanel(multiplot.GetPlot(i + 1), report, workloads[i]);
        }

        multiplot.SavePng(path, 1400, 900);
    }

    private static void LatencyPanel(Plot plot, BenchmarkReport report, string? workload)
    {
        var cells = report.Scenarios
            .Select(s => TargetEvaluator.Cell(report.Cells, s.Name, workload ?? "", 1))
            .OfType<CellResult>()
            .ToList();
        var palette = new ScottPlot.Palettes.Category10();
        var bars = new List<Bar>();
        for (var s = 0; s < cells.Count; s++)
        {
            for (var p = 0; p < Percentiles.Length; p++)
            {
                var micros = Math.Max(0.1, Percentiles[p].Value(cells[s]));
                bars.Add(new Bar
                {
                    Position = s * (Percentiles.Length + 1) + p,
                    Value = Math.Log10(micros),
                    ValueBase = -1,
                    FillColor = palette.GetColor(p),
                });
            }
        }

        plot.Add.Bars(bars);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            [.. cells.Select((_, s) => s * (Percentiles.Length + 1) + (Percentiles.Length - 1) / 2.0)],
            [.. cells.Select(c => c.Scenario)]);
        double[] decades = [-1, 0, 1, 2, 3, 4, 5];
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            decades, [.. decades.Select(d => Math.Pow(10, d).ToString(System.Globalization.CultureInfo.InvariantCulture))]);
        plot.Axes.SetLimitsY(-1, Math.Ceiling(bars.Count == 0 ? 4 : bars.Max(b => b.Value)) + 0.2);
        for (var p = 0; p < Percentiles.Length; p++)
        {
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = Percentiles[p].Label, FillColor = palette.GetColor(p) });
        }

        plot.ShowLegend(Alignment.UpperLeft);
        plot.Title($"{workload}, 1 caller: latency percentiles (us, log scale)");
        plot.YLabel("microseconds");
    }

    private static void ThroughputPanel(Plot plot, BenchmarkReport report, string workload)
    {
        var callerCounts = report.Cells.Where(c => c.Workload == workload).Select(c => c.Callers).Distinct().Order().ToList();
        var palette = new ScottPlot.Palettes.Category10();
        var index = 0;
        foreach (var scenario in report.Scenarios)
        {
            var cells = report.Cells.Where(c => c.Workload == workload && c.Scenario == scenario.Name).OrderBy(c => c.Callers).ToList();
            if (cells.Count == 0)
            {
                index++;
                continue;
            }

            var line = plot.Add.Scatter(
                cells.Select(c => (double)callerCounts.IndexOf(c.Callers)).ToArray(),
                cells.Select(c => c.CallsPerSecond).ToArray());
            line.LegendText = scenario.Name;
            line.Color = palette.GetColor(index++);
            line.LineWidth = 2;
            line.MarkerSize = 7;
        }

        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            [.. callerCounts.Select((_, i) => (double)i)], [.. callerCounts.Select(c => c.ToString(System.Globalization.CultureInfo.InvariantCulture))]);
        plot.Axes.SetLimitsY(0, report.Cells.Where(c => c.Workload == workload).Select(c => c.CallsPerSecond).DefaultIfEmpty(1).Max() * 1.1);
        plot.ShowLegend(Alignment.UpperLeft);
        plot.Title($"{workload}: throughput by callers");
        plot.XLabel("concurrent callers");
        plot.YLabel("calls / s");
    }
}

using System.Text.Json;
using System.Text.Json.Serialization;

namespace DSPex.Orleans.Benchmarks.Reporting;

/// <summary>Writes results.json, results.md and results.png into the output directory, and the Markdown to the console.</summary>
public static class ReportWriter
{
    public const string JsonFile = "results.json", MarkdownFile = "results.md", ChartFile = "results.png";

    public static void Write(BenchmarkReport report, string directory)
    {
        Directory.CreateDirectory(directory);
        var json = JsonSerializer.Serialize(report, new JsonSerializerOptions
        {
            WriteIndented = true,
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        });
        File.WriteAllText(Path.Combine(directory, JsonFile), json);
        var markdown = MarkdownReport.Render(report);
        File.WriteAllText(Path.Combine(directory, MarkdownFile), markdown);
        ChartRenderer.Render(report, Path.Combine(directory, ChartFile));
        Console.WriteLine();
        Console.WriteLine(markdown);
        Console.WriteLine($"written: {Path.Combine(directory, MarkdownFile)}, {JsonFile}, {ChartFile}");
    }
}

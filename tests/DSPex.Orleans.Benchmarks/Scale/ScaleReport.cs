using System.Text.Json;

namespace DSPex.Orleans.Benchmarks.Scale;

/// <summary>Writes a scale or soak mode's results: NAME.json (the figures) and NAME.md (the same, readable).</summary>
public static class ScaleReport
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static void Write(string directory, string name, object figures, IEnumerable<string> markdown)
    {
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, $"{name}.json"), JsonSerializer.Serialize(figures, figures.GetType(), Json) + "\n");
        File.WriteAllText(Path.Combine(directory, $"{name}.md"), string.Join('\n', markdown) + "\n");
        Console.WriteLine($"wrote {Path.Combine(directory, name)}.json and .md");
    }

    public static string Command() =>
        "dotnet run -c Release --project tests/DSPex.Orleans.Benchmarks -- " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1));

    /// <summary>Runs <paramref name="call"/> for every item with at most <paramref name="parallel"/> in flight.</summary>
    public static Task ForEachAsync<T>(IEnumerable<T> items, int parallel, Func<T, Task> call) =>
        Parallel.ForEachAsync(items, new ParallelOptions { MaxDegreeOfParallelism = parallel }, async (item, _) => await call(item));

    public static long ManagedHeapAfterFullGc()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        return GC.GetTotalMemory(forceFullCollection: false);
    }

    public static long OwnResidentBytes() => Infrastructure.OsProcess.ResidentBytes(Environment.ProcessId);

    public static string Mib(double bytes) => $"{bytes / (1024 * 1024):0.0} MiB";
}

namespace DSPex.Orleans.Tests.Infrastructure;

/// <summary>Live processes whose command line carries a text (a cluster id in the workers' marker), read from /proc.</summary>
public static class ProcessesWithMarker
{
    public static IReadOnlyList<int> Find(string text) =>
        [.. Directory.EnumerateDirectories("/proc")
            .Select(d => int.TryParse(Path.GetFileName(d), out var pid) ? pid : 0)
            .Where(pid => pid > 0 && pid != Environment.ProcessId && OsProcesses.IsAlive(pid) && OsProcesses.CommandLine(pid).Contains(text, StringComparison.Ordinal))];
}

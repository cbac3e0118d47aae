namespace DSPex.Orleans.Benchmarks.Measurement;

/// <summary>
/// Context switches of processes, summed over their live threads (/proc/PID/task/*/status: voluntary = the thread
/// blocked and was woken later, involuntary = it was preempted). A thread that ended during a cell takes its counts
/// with it, so a figure is a lower bound; thread pools keep their threads across a few-second cell, so it is close.
/// Per call, it is the number of times the path put a thread to sleep and woke one: the cost the profile points at.
/// </summary>
public static class ContextSwitches
{
    public readonly record struct Counts(long Voluntary, long Involuntary)
    {
        public long Total => Voluntary + Involuntary;

        public static Counts operator -(Counts a, Counts b) => new(a.Voluntary - b.Voluntary, a.Involuntary - b.Involuntary);

        public static Counts operator +(Counts a, Counts b) => new(a.Voluntary + b.Voluntary, a.Involuntary + b.Involuntary);
    }

    public static Counts Of(IEnumerable<int> pids)
    {
        var sum = default(Counts);
        foreach (var pid in pids)
        {
            sum += Of(pid);
        }

        return sum;
    }

    public static Counts Of(int pid)
    {
        long voluntary = 0, involuntary = 0;
        string[] tasks;
        try
        {
            tasks = Directory.GetDirectories($"/proc/{pid}/task");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return default;
        }

        foreach (var task in tasks)
        {
            try
            {
                foreach (var line in File.ReadLines(Path.Combine(task, "status")))
                {
                    if (line.StartsWith("voluntary_ctxt_switches:", StringComparison.Ordinal))
                    {
                        voluntary += long.Parse(line.AsSpan(line.IndexOf(':') + 1).Trim(), provider: System.Globalization.CultureInfo.InvariantCulture);
                    }
                    else if (line.StartsWith("nonvoluntary_ctxt_switches:", StringComparison.Ordinal))
                    {
                        involuntary += long.Parse(line.AsSpan(line.IndexOf(':') + 1).Trim(), provider: System.Globalization.CultureInfo.InvariantCulture);
                    }
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
            {
                // The thread ended between listing and reading.
            }
        }

        return new Counts(voluntary, involuntary);
    }
}

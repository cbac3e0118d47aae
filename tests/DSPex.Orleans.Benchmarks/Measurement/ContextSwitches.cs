namespace DSPex.Orleans.Benchmarks.Measurement;

/// <summary>
/// Context switches of processes, per thread (/proc/PID/task/*/status: voluntary = the thread blocked and was woken
/// later, involuntary = it was preempted). A cell's count is the sum over threads of each thread's change (a thread
/// born in the cell counts from zero); a thread that ended during the cell takes its counts with it, so a figure is
/// a lower bound, never negative (thread pools keep their threads across a few-second cell, so it is close).
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

    /// <summary>Each live thread's counts (by thread id, unique on the machine) of these processes.</summary>
    public static Dictionary<int, Counts> Snapshot(IEnumerable<int> pids)
    {
        var threads = new Dictionary<int, Counts>();
        foreach (var pid in pids)
        {
            Add(pid, threads);
        }

        return threads;
    }

    /// <summary>The switches made between two snapshots, summed over the threads alive at the second.</summary>
    public static Counts Between(IReadOnlyDictionary<int, Counts> before, IReadOnlyDictionary<int, Counts> after)
    {
        var sum = default(Counts);
        foreach (var (tid, now) in after)
        {
            var then = before.TryGetValue(tid, out var earlier) ? earlier : default;
            sum += new Counts(Math.Max(0, now.Voluntary - then.Voluntary), Math.Max(0, now.Involuntary - then.Involuntary));
        }

        return sum;
    }

    private static void Add(int pid, Dictionary<int, Counts> threads)
    {
        string[] tasks;
        try
        {
            tasks = Directory.GetDirectories($"/proc/{pid}/task");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return;
        }

        foreach (var task in tasks)
        {
            if (!int.TryParse(Path.GetFileName(task), out var tid))
            {
                continue;
            }

            long voluntary = 0, involuntary = 0;
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
                continue;
            }

            threads[tid] = new Counts(voluntary, involuntary);
        }
    }
}

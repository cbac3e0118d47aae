using System.Diagnostics;
using DSPex.Orleans.Benchmarks.Scenarios;
using DSPex.Orleans.Benchmarks.Workloads;
using HdrHistogram;

namespace DSPex.Orleans.Benchmarks.Measurement;

/// <summary>
/// Closed-loop load: each caller issues its next call as soon as the previous one answers. A warm-up period
/// (JIT, tiered compilation, grain activation, Python's caches) runs first and is not recorded; only calls that
/// start and finish inside the measured window count.
/// </summary>
public static class LoadRunner
{
    private const int WarmingUp = 0, Measuring = 1, Stopping = 2;

    public static async Task<CellMeasurement> RunAsync(
        IScenario scenario, Workload workload, int callers, TimeSpan warmUp, TimeSpan duration)
    {
        var phase = WarmingUp;
        var histograms = new LongHistogram[callers];
        var errors = new long[callers];
        string? firstError = null;

        async Task AsyncCaller(int caller)
        {
            var histogram = histograms[caller] = CellMeasurement.NewHistogram();
            while (Volatile.Read(ref phase) != Stopping)
            {
                var measuring = Volatile.Read(ref phase) == Measuring;
                var started = Stopwatch.GetTimestamp();
                var ok = true;
                try
                {
                    await scenario.CallAsync(workload, caller);
                }
                catch (Exception e)
                {
                    ok = false;
                    Interlocked.CompareExchange(ref firstError, $"{e.GetType().Name}: {e.Message}", null);
                }

                var elapsed = Stopwatch.GetTimestamp() - started;
                if (measuring && Volatile.Read(ref phase) == Measuring)
                {
                    if (ok)
                    {
                        histogram.RecordValue(elapsed);
                    }
                    else
                    {
                        errors[caller]++;
                    }
                }
            }
        }

        void BlockingCaller(int caller)
        {
            using var entered = scenario.EnterCaller(callers);
            AsyncCaller(caller).GetAwaiter().GetResult(); // every call completes synchronously on this thread
        }

        var loops = new Task[callers];
        for (var i = 0; i < callers; i++)
        {
            var caller = i;
            loops[i] = scenario.CallsBlockThread
                ? StartDedicatedThread(() => BlockingCaller(caller), $"bench-caller-{caller}")
                : Task.Run(() => AsyncCaller(caller));
        }

        await Task.Delay(warmUp);
        var workerPids = scenario.WorkerPids();
        var before = ProcessCounters.Read(scenario.SiloPid, workerPids);
        var start = Stopwatch.GetTimestamp();
        Volatile.Write(ref phase, Measuring);
        await Task.Delay(duration);
        Volatile.Write(ref phase, Stopping);
        var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        var counters = ProcessCounters.Read(scenario.SiloPid, workerPids) - before;
        await Task.WhenAll(loops);

        var merged = CellMeasurement.NewHistogram();
        foreach (var histogram in histograms)
        {
            merged.Add(histogram);
        }

        return new CellMeasurement(merged, errors.Sum(), seconds, counters, firstError);
    }

    private static Task StartDedicatedThread(Action body, string name)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        new Thread(() =>
        {
            try
            {
                body();
                done.SetResult();
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        }) { IsBackground = true, Name = name }.Start();
        return done.Task;
    }
}

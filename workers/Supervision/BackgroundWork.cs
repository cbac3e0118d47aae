using Microsoft.Extensions.Logging;

namespace DSPex.Orleans.Workers.Supervision;

/// <summary>
/// The background tasks of a pool and its supervisors (restarts, recycles, kills of abandoned requests): each is started here, kept until
/// it ends, its failure logged, and all of them are awaited when the pool stops. Nothing runs unowned.
/// </summary>
internal sealed partial class BackgroundWork(ILogger logger)
{
    private readonly object _lock = new();
    private readonly HashSet<Task> _running = [];

    /// <summary>Runs <paramref name="work"/> on the thread pool, owned until it ends.</summary>
    public void Run(string what, Func<Task> work)
    {
        var task = Task.Run(async () =>
        {
            try
            {
                await work().ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
            catch (Exception e)
            {
                Failed(logger, e, what);
            }
        });
        lock (_lock)
        {
            _running.Add(task);
        }

        task.ContinueWith(static (done, state) =>
        {
            var self = (BackgroundWork)state!;
            lock (self._lock)
            {
                self._running.Remove(done);
            }
        }, this, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>Waits for every task running now (they see the pool's stop token), up to <paramref name="timeout"/>.</summary>
    public async Task<bool> WhenAllAsync(TimeSpan timeout)
    {
        Task[] running;
        lock (_lock)
        {
            running = [.. _running];
        }

        try
        {
            await Task.WhenAll(running).WaitAsync(timeout).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    [LoggerMessage(EventId = 1190, Level = LogLevel.Error, Message = "Background work of the pool failed: {What}")]
    private static partial void Failed(ILogger logger, Exception exception, string what);
}

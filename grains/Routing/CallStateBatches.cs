using DSPex.Orleans.Contracts;

namespace DSPex.Orleans.Routing;

/// <summary>
/// Call-state questions that reach one gateway silo together share fan-outs to every silo: while one fan-out is out,
/// the questions that arrive wait and go together in the next. When a gateway is lost, every client that had a call in
/// flight asks; without this each question would be a fan-out of its own (clients x silos calls, docs/scale.md), with it
/// a gateway has at most one fan-out out and one gathering, and starts at most one every <see cref="Spacing"/>, so
/// the probes a gateway sends are bounded by time and silos, not by clients. A fan-out carries at most
/// <see cref="MaxIdsPerFanOut"/> ids (one question larger than that goes alone), so a message stays far under the
/// silo's message size limit.
/// </summary>
internal sealed class CallStateBatches(Func<Guid[], Task<CallStatesReport>> fanOut)
{
    /// <summary>Least time between two fan-outs of one gateway: at most ten a second, each answer at most this much later.</summary>
    public static readonly TimeSpan Spacing = TimeSpan.FromMilliseconds(100);

    /// <summary>16 bytes each: 256 KiB of ids per fan-out at most.</summary>
    public const int MaxIdsPerFanOut = 16 * 1024;

    private readonly Lock _lock = new();
    private readonly List<Question> _waiting = [];
    private bool _running;

    /// <summary>The states of <paramref name="callIds"/>, from the next fan-out that carries them.</summary>
    public Task<CallStatesReport> AskAsync(Guid[] callIds)
    {
        var question = new Question(callIds, new TaskCompletionSource<CallStatesReport>(TaskCreationOptions.RunContinuationsAsynchronously));
        bool start;
        lock (_lock)
        {
            _waiting.Add(question);
            start = !_running;
            _running = true;
        }

        if (start)
        {
            _ = RunAsync();
        }

        return question.Answer.Task;
    }

    private async Task RunAsync()
    {
        while (TakeBatch() is { } batch)
        {
            var ids = batch.SelectMany(q => q.CallIds).Distinct().ToArray();
            try
            {
                var report = await fanOut(ids);
                var index = new Dictionary<Guid, int>(ids.Length);
                for (var i = 0; i < ids.Length; i++)
                {
                    index[ids[i]] = i;
                }

                foreach (var question in batch)
                {
                    question.Answer.TrySetResult(new CallStatesReport(
                        [.. question.CallIds.Select(id => report.States.Length == ids.Length ? report.States[index[id]] : CallState.Unknown)],
                        report.Conclusive && report.States.Length == ids.Length));
                }
            }
            catch (Exception e)
            {
                foreach (var question in batch)
                {
                    question.Answer.TrySetException(e);
                }
            }

            // Questions that arrive meanwhile gather for the next fan-out.
            await Task.Delay(Spacing);
        }
    }

    /// <summary>The questions for the next fan-out, oldest first; null (and no longer running) when none wait.</summary>
    private List<Question>? TakeBatch()
    {
        lock (_lock)
        {
            if (_waiting.Count == 0)
            {
                _running = false;
                return null;
            }

            var taken = 0;
            var ids = 0;
            while (taken < _waiting.Count && (taken == 0 || ids + _waiting[taken].CallIds.Length <= MaxIdsPerFanOut))
            {
                ids += _waiting[taken].CallIds.Length;
                taken++;
            }

            var batch = _waiting.GetRange(0, taken);
            _waiting.RemoveRange(0, taken);
            return batch;
        }
    }

    private sealed record Question(Guid[] CallIds, TaskCompletionSource<CallStatesReport> Answer);
}

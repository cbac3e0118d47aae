using DSPex.Orleans.Contracts;
using DSPex.Orleans.Routing;
using DSPex.Orleans.Tests.Infrastructure;

namespace DSPex.Orleans.UnitTests.Routing;

/// <summary>
/// Questions about call states that reach a gateway together share fan-outs: many clients asking at once after a
/// gateway loss cost one fan-out out and one gathering, and each still gets the states of its own calls.
/// </summary>
[Trait("Category", "Unit")]
public sealed class CallStateBatchesTests
{
    /// <summary>A fan-out that answers when the test releases it, reporting Running for the ids in <see cref="Running"/>.</summary>
    private sealed class HeldFanOut
    {
        private readonly List<(Guid[] Ids, TaskCompletionSource<CallStatesReport> Answer)> _sent = [];

        public HashSet<Guid> Running { get; } = [];

        public int Sent
        {
            get
            {
                lock (_sent)
                {
                    return _sent.Count;
                }
            }
        }

        public Task<CallStatesReport> FanOutAsync(Guid[] ids)
        {
            var answer = new TaskCompletionSource<CallStatesReport>(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_sent)
            {
                _sent.Add((ids, answer));
            }

            return answer.Task;
        }

        public Guid[] IdsOf(int fanOut)
        {
            lock (_sent)
            {
                return _sent[fanOut].Ids;
            }
        }

        public void Answer(int fanOut, Exception? failure = null)
        {
            (Guid[] Ids, TaskCompletionSource<CallStatesReport> Answer) sent;
            lock (_sent)
            {
                sent = _sent[fanOut];
            }

            if (failure is not null)
            {
                sent.Answer.SetException(failure);
                return;
            }

            sent.Answer.SetResult(new CallStatesReport([.. sent.Ids.Select(id => Running.Contains(id) ? CallState.Running : CallState.Unknown)], true));
        }
    }

    private static Guid[] Ids(int count) => [.. Enumerable.Range(0, count).Select(_ => Guid.NewGuid())];

    [Fact]
    public async Task Questions_that_arrive_while_a_fan_out_is_out_go_together_in_the_next_and_each_gets_its_own_states()
    {
        var fanOut = new HeldFanOut();
        var batches = new CallStateBatches(fanOut.FanOutAsync);
        var first = batches.AskAsync(Ids(1));
        var later = Enumerable.Range(0, 50).Select(_ => Ids(3)).ToList();
        foreach (var ids in later)
        {
            fanOut.Running.Add(ids[1]);
        }

        var answers = later.Select(batches.AskAsync).ToList();
        Assert.Equal(1, fanOut.Sent);

        fanOut.Answer(0);
        await first;
        await Eventually.HoldsAsync(() => fanOut.Sent == 2, "the gathered questions went out together");
        Assert.Equal(150, fanOut.IdsOf(1).Length);
        fanOut.Answer(1);

        foreach (var answer in answers)
        {
            var report = await answer;
            Assert.True(report.Conclusive);
            Assert.Equal([CallState.Unknown, CallState.Running, CallState.Unknown], report.States);
        }

        Assert.Equal(2, fanOut.Sent);
    }

    [Fact]
    public async Task A_failed_fan_out_fails_the_questions_it_carried_and_the_next_question_is_asked_again()
    {
        var fanOut = new HeldFanOut();
        var batches = new CallStateBatches(fanOut.FanOutAsync);
        var failed = batches.AskAsync(Ids(2));
        fanOut.Answer(0, new TimeoutException("a silo is slow"));
        await Assert.ThrowsAsync<TimeoutException>(() => failed);

        var next = batches.AskAsync(Ids(2));
        await Eventually.HoldsAsync(() => fanOut.Sent == 2, "the next question went out in a fan-out of its own");
        fanOut.Answer(1);
        Assert.Equal(2, (await next).States.Length);
    }

    [Fact]
    public async Task A_fan_out_carries_at_most_the_id_limit_and_a_larger_question_goes_alone()
    {
        var fanOut = new HeldFanOut();
        var batches = new CallStateBatches(fanOut.FanOutAsync);
        var first = batches.AskAsync(Ids(1));
        var half = CallStateBatches.MaxIdsPerFanOut / 2;
        var waiting = new[] { Ids(half), Ids(half), Ids(1), Ids(CallStateBatches.MaxIdsPerFanOut + 5) }.Select(batches.AskAsync).ToList();

        for (var sent = 0; sent < 4; sent++)
        {
            await Eventually.HoldsAsync(() => fanOut.Sent == sent + 1, $"fan-out {sent + 1} sent");
            fanOut.Answer(sent);
        }

        await Task.WhenAll(waiting.Append(first));
        Assert.Equal([1, 2 * half, 1, CallStateBatches.MaxIdsPerFanOut + 5], Enumerable.Range(0, 4).Select(i => fanOut.IdsOf(i).Length));
    }
}

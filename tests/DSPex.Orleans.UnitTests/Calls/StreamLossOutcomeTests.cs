using DSPex.Orleans.Client.Calls;
using DSPex.Orleans.Client.Errors;
using DSPex.Orleans.Contracts;

namespace DSPex.Orleans.UnitTests.Calls;

/// <summary>
/// A stream lost with a silo after its first item has run, whatever the failed fetch says: a gateway's error item
/// "not run" (its own fetch from the silo running the stream was refused) becomes "may have run" once items came; before
/// the first item it stays "not run", as for a call.
/// </summary>
[Trait("Category", "Unit")]
public sealed class StreamLossOutcomeTests
{
    private static readonly ExecuteError NotRunLoss = ExecuteError.SiloLost("session stream: a silo it needed was lost", CallOutcome.NotRun);

    [Fact]
    public async Task A_loss_after_an_item_is_may_have_run()
    {
        var read = new List<string>();
        var lost = await Assert.ThrowsAsync<SiloLostException>(async () =>
        {
            await foreach (var item in StreamReads.ReadAsync(Items(new StreamItem("1", null), new StreamItem(null, NotRunLoss)), CancellationToken.None))
            {
                read.Add(item);
            }
        });

        Assert.Equal(["1"], read);
        Assert.Equal(CallOutcome.OutcomeUnknown, lost.Outcome);
        Assert.Contains("after it had begun", lost.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_loss_before_the_first_item_is_not_run()
    {
        var lost = await Assert.ThrowsAsync<SiloLostException>(async () =>
        {
            await foreach (var unused in StreamReads.ReadAsync(Items(new StreamItem(null, NotRunLoss)), CancellationToken.None))
            {
            }
        });

        Assert.Equal(CallOutcome.NotRun, lost.Outcome);
    }

    private static async IAsyncEnumerable<StreamItem> Items(params StreamItem[] items)
    {
        foreach (var item in items)
        {
            await Task.Yield();
            yield return item;
        }
    }
}

using DSPex.Orleans.Client.Errors;
using DSPex.Orleans.Contracts;

namespace DSPex.Orleans.Client.Calls;

/// <summary>
/// How the library reads a stream from the silo: one item per fetch, so the silo's credit is exact.
/// </summary>
/// <remarks>
/// The silo grants Python a unit of credit for an item when its enumerator is asked for the next one. Orleans'
/// grain-side enumerator asks as often as a fetch's batch allows (100 by default, plus one more it leaves pending),
/// so with batches the silo would grant credit for items still on their way to the client: Python ran up to twice
/// StreamWindow ahead (issue 23 item 5). With one item per fetch, the silo's enumerator is asked for item k+1
/// only when the reader asks for it, so the credit the silo has granted is never more than the items the reader has
/// taken, and Python is never more than StreamWindow items ahead of it. The price is one round trip per item
/// (docs/streams.md#backpressure gives the figures); nothing else is read ahead.
/// </remarks>
internal static class StreamReads
{
    /// <summary>Items per fetch from the silo (Orleans' AsyncEnumerableRequest.MaxBatchSize).</summary>
    public const int ItemsPerFetch = 1;

    /// <summary>
    /// Yields a silo stream's items' JSON to the reader, fetching each when it is asked for; an error item ends it with
    /// its typed exception, an item with binary parts with <see cref="DSPexDataException"/> naming it (StreamDataAsync reads those).
    /// </summary>
    public static async IAsyncEnumerable<string> ReadAsync(IAsyncEnumerable<StreamItem> stream,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var index = 0;
        await foreach (var item in ReadItemsAsync(stream, cancellationToken).ConfigureAwait(false))
        {
            // The JSON alone would refer to parts the caller never sees: refused by name rather than lost.
            if (item.ItemParts is { Length: > 0 } parts)
            {
                throw new DSPexDataException(DSPexErrorKind.ResultNotSerializable,
                    $"stream item {index} holds {parts.Length} binary part(s) (bytes or arrays), which a JSON stream cannot carry: read the stream with StreamDataAsync");
            }

            index++;
            yield return item.ItemJson!;
        }
    }

    /// <summary>As <see cref="ReadAsync"/>, each item whole (its JSON and the binary parts it refers to).</summary>
    public static async IAsyncEnumerable<StreamItem> ReadItemsAsync(IAsyncEnumerable<StreamItem> stream,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var items = stream.WithBatchSize(ItemsPerFetch).GetAsyncEnumerator(cancellationToken);
        await using var disposeItems = items.ConfigureAwait(false);
        var started = false;
        while (await NextAsync(items, started).ConfigureAwait(false))
        {
            if (items.Current.Error is { } error)
            {
                throw Begun(DSPexException.From(error, null), started);
            }

            started = true;
            yield return items.Current;
        }
    }

    /// <summary>
    /// The next item. A silo lost before the stream's first item is as for a call (a request not delivered did not
    /// run); once an item has come, the generator has run, so a loss after it (the next fetch cannot reach the gateway
    /// that holds the stream: "not run" names that fetch only) is "may have run" for the stream.
    /// </summary>
    private static async ValueTask<bool> NextAsync(IAsyncEnumerator<StreamItem> items, bool started)
    {
        try
        {
            return await ClusterCalls.Once(() => items.MoveNextAsync()).ConfigureAwait(false);
        }
        catch (SiloLostException lost) when (started && lost.Outcome == CallOutcome.NotRun)
        {
            throw Begun(lost, started);
        }
    }

    /// <summary>
    /// A silo loss of a stream that has begun, whether the client's fetch failed or the gateway's error item says so
    /// (the gateway's own fetch from the silo running the stream was refused): "may have run" (see <see cref="NextAsync"/>).
    /// </summary>
    private static DSPexException Begun(DSPexException failure, bool started) =>
        started && failure is SiloLostException { Outcome: CallOutcome.NotRun } lost
            ? new SiloLostException($"the stream was lost with a silo after it had begun (it may have run): {Cause(lost)}", CallOutcome.OutcomeUnknown, lost.InnerException)
            : failure;

    private static string Cause(SiloLostException lost) =>
        lost.InnerException is { } inner ? $"{inner.GetType().Name}: {FirstLine(inner.Message)}" : FirstLine(lost.Message);

    private static string FirstLine(string? text) => text is null ? "" : text.Split('\n', 2)[0].Trim();
}

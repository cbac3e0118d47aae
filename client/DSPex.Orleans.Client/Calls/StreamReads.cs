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

    /// <summary>Yields a silo stream's items to the reader, fetching each when it is asked for; an error item ends it with its typed exception.</summary>
    public static async IAsyncEnumerable<string> ReadAsync(IAsyncEnumerable<StreamItem> stream,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var items = stream.WithBatchSize(ItemsPerFetch).GetAsyncEnumerator(cancellationToken);
        await using var disposeItems = items.ConfigureAwait(false);
        while (await ClusterCalls.Once(() => items.MoveNextAsync()).ConfigureAwait(false))
        {
            if (items.Current.Error is { } error)
            {
                throw DSPexException.From(error, null);
            }

            yield return items.Current.ItemJson!;
        }
    }
}

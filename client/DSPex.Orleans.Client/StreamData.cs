using DSPex.Orleans.Contracts;

namespace DSPex.Orleans.Client;

/// <summary>A stream's items whole: each item's JSON with the binary parts it refers to (bytes and arrays a generator yielded).</summary>
internal static class StreamData
{
    /// <summary>Each item of <paramref name="items"/> as <see cref="DSPexData"/> (read with <see cref="DSPexData.Read{T}"/>).</summary>
    public static async IAsyncEnumerable<DSPexData> ReadAsync(IAsyncEnumerable<StreamItem> items,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var item in items.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            yield return new DSPexData(item.ItemJson!, item.ItemParts);
        }
    }
}

using System.Collections.Concurrent;

namespace DSPex.Orleans.Pool;

/// <summary>
/// A token per silo that is cancelled when cluster membership declares that silo dead. A stream run here for another
/// silo (the gateway relaying it to its client) ends with it: when that silo is gone nothing will read the stream
/// again, and without this its worker stayed busy until the stream's idle limit or deadline (issue 23).
/// One token source per silo ever asked about, removed when the silo dies (a restarted silo is a new address).
/// </summary>
internal sealed class SiloDeathWatch : ISiloStatusListener
{
    private readonly ConcurrentDictionary<SiloAddress, CancellationTokenSource> _watched = new();
    private readonly ISiloStatusOracle _oracle;

    public SiloDeathWatch(ISiloStatusOracle oracle)
    {
        _oracle = oracle;
        oracle.SubscribeToSiloStatusEvents(this);
    }

    /// <summary>Cancelled when <paramref name="silo"/> is declared dead (already cancelled when it is).</summary>
    public CancellationToken WhenDead(SiloAddress silo)
    {
        if (_oracle.IsDeadSilo(silo))
        {
            return new CancellationToken(canceled: true);
        }

        var source = _watched.GetOrAdd(silo, static _ => new CancellationTokenSource());
        // Declared dead between the check and the add: the notification may have found nothing to cancel.
        if (_oracle.IsDeadSilo(silo))
        {
            Died(silo);
        }

        return source.Token;
    }

    public void SiloStatusChangeNotification(SiloAddress updatedSilo, SiloStatus status)
    {
        if (status == SiloStatus.Dead)
        {
            Died(updatedSilo);
        }
    }

    private void Died(SiloAddress silo)
    {
        // Not disposed: a stream may still be registering on the token; a cancelled source holds no timer. The streams'
        // callbacks (a cancel frame to their worker each) run on the thread pool, not on membership's thread.
        if (_watched.TryRemove(silo, out var source))
        {
            _ = source.CancelAsync();
        }
    }
}

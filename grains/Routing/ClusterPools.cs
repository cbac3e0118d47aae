using System.Collections.Concurrent;
using DSPex.Orleans.Contracts;
using DSPex.Orleans.Grains;
using DSPex.Orleans.Placement;
using DSPex.Orleans.Pool;

namespace DSPex.Orleans.Routing;

/// <summary>
/// This silo's view of the cluster's pools (a <see cref="PoolDirectory"/>), kept without a call per request: a
/// silo's pools are fixed for its life (its address carries its generation), so each other silo is asked for its
/// offers once when it joins, again (at most once a second) while one of its pools has not yet reported its
/// commands, and forgotten when it leaves. The directory is rebuilt only when membership or this silo's own offers
/// changed. The silo's container owns it (a singleton) and disposes it with the host, when no call routes any more.
/// </summary>
internal sealed class ClusterPools(SiloPools local, IClusterMembershipService membership, IGrainFactory grainFactory) : IDisposable
{
    // A silo that does not answer (or has a pool still starting) is asked again after this long, not on every call.
    private static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<SiloAddress, RemoteOffers> _remote = new();
    private readonly SemaphoreSlim _refresh = new(1, 1);
    private volatile View? _view;
    private int _refreshing;

    /// <summary>
    /// The directory as of now. Only the first call waits for it to be built; after that a stale directory (a silo
    /// joined or left, a pool reported its commands) is refreshed in the background while calls route with the one
    /// they have, so a slow or unreachable silo never holds up requests.
    /// </summary>
    public ValueTask<PoolDirectory> CurrentAsync()
    {
        var view = _view;
        if (view is null)
        {
            return new ValueTask<PoolDirectory>(FirstAsync());
        }

        if (IsStale(view) && Interlocked.CompareExchange(ref _refreshing, 1, 0) == 0)
        {
            _ = RefreshInBackgroundAsync();
        }

        return new ValueTask<PoolDirectory>(view.Directory);
    }

    private async Task<PoolDirectory> FirstAsync()
    {
        await _refresh.WaitAsync();
        try
        {
            _view ??= await BuildAsync();
            return _view.Directory;
        }
        finally
        {
            _refresh.Release();
        }
    }

    private async Task RefreshInBackgroundAsync()
    {
        try
        {
            await _refresh.WaitAsync();
            try
            {
                _view = await BuildAsync();
            }
            finally
            {
                _refresh.Release();
            }
        }
        catch (Exception)
        {
            // The directory in hand stays in use; the next stale read tries again.
        }
        finally
        {
            Volatile.Write(ref _refreshing, 0);
        }
    }

    /// <summary>Active silos other than this one, as membership sees them now.</summary>
    public IEnumerable<SiloAddress> OtherActiveSilos() =>
        membership.CurrentSnapshot.Members.Values.Where(m => m.Status == SiloStatus.Active && !m.SiloAddress.Equals(local.Silo)).Select(m => m.SiloAddress);

    private bool IsStale(View view) =>
        view.MembershipVersion != membership.CurrentSnapshot.Version
        || view.LocalOffersVersion != local.OffersVersion
        || (view.Incomplete && DateTime.UtcNow - view.BuiltAt > RetryAfter);

    private async Task<View> BuildAsync()
    {
        var snapshot = membership.CurrentSnapshot;
        var localVersion = local.OffersVersion;
        var others = snapshot.Members.Values.Where(m => m.Status == SiloStatus.Active && !m.SiloAddress.Equals(local.Silo)).Select(m => m.SiloAddress).ToList();
        foreach (var gone in _remote.Keys.Where(s => !others.Contains(s)))
        {
            _remote.TryRemove(gone, out _);
        }

        var now = DateTime.UtcNow;
        await Task.WhenAll(others
            .Where(s => !_remote.TryGetValue(s, out var known) || (!known.Complete && now - known.AskedAt > RetryAfter))
            .Select(async silo => _remote[silo] = await AskAsync(silo)));
        var silos = others.Select(s => (s, (IReadOnlyList<PoolOffer>)(_remote.TryGetValue(s, out var r) ? r.Offers : [])))
            .Prepend((local.Silo, local.Offers()));
        var incomplete = local.Offers().Any(o => !o.Ready) || others.Any(s => !_remote.TryGetValue(s, out var r) || !r.Complete);
        return new View(new PoolDirectory(silos), snapshot.Version, localVersion, incomplete, DateTime.UtcNow);
    }

    private async Task<RemoteOffers> AskAsync(SiloAddress silo)
    {
        try
        {
            var offers = await grainFactory.GetGrain<IPoolGrain>(SiloKeys.ForSilo(silo)).GetOffersAsync().WaitAsync(AskTimeout);
            return new RemoteOffers(offers, offers.All(o => o.Ready), DateTime.UtcNow);
        }
        catch (Exception)
        {
            // Unreachable or slow: routed as if it ran nothing for now, asked again after RetryAfter.
            return new RemoteOffers([], false, DateTime.UtcNow);
        }
    }

    /// <summary>A refresh still in the background then ends at its next step (its failure is caught there).</summary>
    public void Dispose() => _refresh.Dispose();

    private sealed record RemoteOffers(PoolOffer[] Offers, bool Complete, DateTime AskedAt);

    private sealed record View(PoolDirectory Directory, MembershipVersion MembershipVersion, int LocalOffersVersion, bool Incomplete, DateTime BuiltAt);
}

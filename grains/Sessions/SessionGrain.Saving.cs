using DSPex.Orleans.Contracts;
using Orleans.Storage;

namespace DSPex.Orleans.Sessions;

/// <summary>
/// When a session is written. A change that must survive a crash (<see cref="SessionState.HasUnsavedChanges"/>) is
/// written before the call returns. A call that changes only its counters and its sliding expiry writes nothing: the
/// access is kept in memory and written with the next change, once the stored access is a quarter of the TTL old
/// (so the stored key never expires under a session in use), and when the grain deactivates. A silo crash can
/// therefore lose only the counters of the calls since the last write, and make the session expire at most a quarter
/// of its TTL early (docs/client.md, "Sessions").
/// </summary>
internal sealed partial class SessionGrain
{
    // A session in use writes its access at least this many times per TTL.
    private const int AccessWritesPerTtl = 4;

    // The shortest key expiry set: a write always leaves the key alive for the session's own expiry check.
    private static readonly TimeSpan MinKeyExpiry = TimeSpan.FromSeconds(1);

    private DateTimeOffset _storedAccessAt;

    /// <summary>The store sessions are written to, for messages.</summary>
    private string StoreName => string.IsNullOrEmpty(options.Value.RedisConnectionString) ? "the session store (in memory)" : "the session store (Redis)";
    private bool _accessUnsaved;

    /// <summary>Records a call's access; writes the session when something must be saved or the stored access is getting old.</summary>
    private async Task SaveAccessAsync()
    {
        Session.LastAccessAt = clock.UtcNow;
        if (Session.HasUnsavedChanges || Session.LastAccessAt - _storedAccessAt >= Session.Ttl / AccessWritesPerTtl)
        {
            await WriteAsync();
            return;
        }

        _accessUnsaved = true;
    }

    /// <summary>An access not yet written is written as the grain leaves memory (a failure is logged; the session stays stored as before).</summary>
    private async Task WriteUnsavedAccessAsync()
    {
        if (!_accessUnsaved || !Session.Exists || Session.IsExpired(clock.UtcNow))
        {
            return;
        }

        try
        {
            await WriteAsync();
        }
        catch (DSPexRequestException)
        {
            // WriteAsync logged it; the stored session keeps its previous access and counters.
        }
    }

    /// <summary>
    /// Redis expires a session's key at its stored access + TTL, while this activation may hold a later access in
    /// memory (at most a quarter TTL later, see above): a write then finds the key gone, and the session is written
    /// again as new. A key that is still there with another version is a real conflict and fails the write.
    /// </summary>
    private async Task WriteStateAsync()
    {
        try
        {
            await state.WriteStateAsync();
        }
        catch (InconsistentStateException)
        {
            var live = state.State;
            await state.ReadStateAsync();
            var gone = !state.RecordExists;
            state.State = live;
            if (!gone)
            {
                throw;
            }

            await state.WriteStateAsync();
        }
    }

    /// <summary>Writes the session as it is; the store's key expires with it.</summary>
    private async Task WriteAsync()
    {
        try
        {
            await WriteStateAsync();
        }
        catch (Exception e)
        {
            logger.StorageRefusedWrite(e, SessionId);
            // A store that cannot be reached is named, so the caller knows to wait for it; a version conflict is a fault of ours.
            throw new DSPexRequestException(e is InconsistentStateException ? DSPexErrorKind.Internal : DSPexErrorKind.StorageUnavailable,
                $"session '{SessionId}' could not be saved: {StoreName} refused the write ({e.GetType().Name}); the change was not kept");
        }

        Session.HasUnsavedChanges = false;
        _storedAccessAt = Session.LastAccessAt;
        _accessUnsaved = false;
        var left = Session.LastAccessAt + Session.Ttl - clock.UtcNow;
        try
        {
            await keyExpiry.ExpireAsync(SessionId, left > MinKeyExpiry ? left : MinKeyExpiry);
        }
        catch (Exception e)
        {
            // The session is saved; only its key keeps the storage's longest expiry (MaxTtl) until a later write
            // sets it. Expiry stays correct either way: it is checked on every activation and call.
            logger.KeyExpiryNotSet(e, SessionId);
        }
    }
}

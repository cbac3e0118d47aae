namespace DSPex.Orleans.Sessions;

/// <summary>Makes the stored session expire with its TTL where the store can (Redis key expiry).</summary>
internal interface ISessionKeyExpiry
{
    /// <summary>True when the store removes an expired session by itself; otherwise the session grain has to.</summary>
    bool StoreRemovesExpiredSessions { get; }

    Task ExpireAsync(string sessionId, TimeSpan ttl);
}

/// <summary>In-memory storage: an idle session's reminder removes its state once it has expired.</summary>
internal sealed class NoSessionKeyExpiry : ISessionKeyExpiry
{
    public bool StoreRemovesExpiredSessions => false;

    public Task ExpireAsync(string sessionId, TimeSpan ttl) => Task.CompletedTask;
}

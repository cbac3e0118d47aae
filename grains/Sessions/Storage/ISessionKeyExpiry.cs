namespace DSPex.Orleans.Sessions.Storage;

/// <summary>Makes the stored session expire with its TTL where the store can (Redis key expiry).</summary>
public interface ISessionKeyExpiry
{
    Task ExpireAsync(string sessionId, TimeSpan ttl);
}

/// <summary>In-memory storage: the session grain's own expiry timer removes the state.</summary>
internal sealed class NoSessionKeyExpiry : ISessionKeyExpiry
{
    public Task ExpireAsync(string sessionId, TimeSpan ttl) => Task.CompletedTask;
}

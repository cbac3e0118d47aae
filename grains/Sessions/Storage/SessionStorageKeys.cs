namespace DSPex.Orleans.Sessions.Storage;

/// <summary>Where a session lives in Redis: readable, and known to the code that sets its expiry.</summary>
internal static class SessionStorageKeys
{
    public static string For(string serviceId, string sessionId) => $"{serviceId}/dspex-session/{sessionId}";
}

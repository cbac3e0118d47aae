namespace DSPex.Orleans.Pool;

/// <summary>
/// The A/B switch of the deferred grant (issue 24): DSPEX_GRANT_ON_REPLY=0 in the silo's environment grants a
/// delivered waiter at once, as before (its turn woken for the grant and again for the reply). Read once per process.
/// </summary>
internal static class DeliveredGrant
{
    public static readonly bool WhenAnswered = Environment.GetEnvironmentVariable("DSPEX_GRANT_ON_REPLY") != "0";
}

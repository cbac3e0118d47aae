namespace DSPex.Orleans.Security;

/// <summary>
/// The RequestContext keys of the trust boundary. A client puts its API key under <see cref="ApiKey"/>; the
/// gateway silo checks it, removes it (the key goes no further than the silo that checked it) and puts the
/// authenticated principal's name under <see cref="Principal"/>, which follows the call through the cluster.
/// </summary>
public static class CallCredentials
{
    /// <summary>RequestContext key of the API key a client sends; the silo removes it at the trust boundary.</summary>
    public const string ApiKey = "dspex-api-key";

    /// <summary>RequestContext key of the authenticated caller's name, set by the silo (never believed from a client).</summary>
    public const string Principal = "dspex-principal";
}

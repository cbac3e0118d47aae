using DSPex.Orleans.Configuration;
using DSPex.Orleans.Security;
using DSPex.Orleans.Silo.Configuration;
using DSPex.Orleans.Silo.Startup;

namespace DSPex.Orleans.Silo.Security;

/// <summary>
/// A silo that listens beyond loopback without requiring credentials would let anyone on the network run
/// commands: that is a configuration error unless DSPex:Security:AllowAnonymous says it is meant.
/// </summary>
internal static class ExposureCheck
{
    public static void Verify(SiloHostOptions silo, DSPexSecurityOptions security)
    {
        if (!ListensBeyondLoopback(silo) || security.RequiresCredentials || security.AllowAnonymous)
        {
            return;
        }

        throw new SiloConfigurationException(
            $"DSPex:Security: this silo listens on all addresses (DSPex:Silo:AdvertisedAddress = {silo.AdvertisedAddress}) but no API keys are " +
            "configured (DSPex:Security:ApiKeys:<name>:Hash), so anyone who reaches it could run commands. Configure keys, " +
            "or set DSPex:Security:AllowAnonymous=true if the network already keeps strangers out.");
    }

    /// <summary>
    /// With Redis, the silo binds all interfaces whenever an advertised address is set (see SiloHostBuilder), even a
    /// loopback one; the embedded localhost cluster binds loopback only.
    /// </summary>
    public static bool ListensBeyondLoopback(SiloHostOptions silo) =>
        !string.IsNullOrEmpty(silo.RedisConnectionString) && silo.AdvertisedAddress is { Length: > 0 };
}

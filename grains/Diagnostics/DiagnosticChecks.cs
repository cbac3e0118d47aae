using DSPex.Orleans.Configuration;
using Microsoft.Extensions.Configuration;

namespace DSPex.Orleans.Diagnostics;

/// <summary>
/// The checks of a machine or pod, built from the configuration a silo would read (appsettings, DSPex__* / DSPEX_
/// environment, overrides). Pool checks are per pool, named "pool NAME: ...": today the one pool is "default"
/// (section DSPex:Pool); named pools add their own set here.
/// </summary>
internal static class DiagnosticChecks
{
    public const string DefaultPool = "default";

    public static readonly TimeSpan DefaultListingTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The checks of one pool: interpreter, adapters and their commands, duplicate names, thread limits.</summary>
    public static IReadOnlyList<IDiagnosticCheck> ForPool(string name, DSPexPoolOptions pool, TimeSpan listingTimeout)
    {
        var listing = new BridgeListing(pool, listingTimeout);
        return
        [
            new PythonCheck(name, pool.PythonExecutable),
            new AdaptersCheck(name, listing, pool.AdapterPaths),
            new DuplicateCommandsCheck(name, listing),
            new ThreadEnvironmentCheck(name, listing, pool.Size),
        ];
    }

    public static IReadOnlyList<IDiagnosticCheck> ForMachine(IConfiguration configuration, TimeSpan listingTimeout)
    {
        var pool = Bind<DSPexPoolOptions>(configuration, DSPexPoolOptions.SectionName);
        var safety = Bind<ProcessSafetyOptions>(configuration, ProcessSafetyOptions.SectionName);
        var security = Bind<DSPexSecurityOptions>(configuration, DSPexSecurityOptions.SectionName);
        var sessions = Bind<DSPexSessionOptions>(configuration, DSPexSessionOptions.SectionName);
        var silo = configuration.GetSection("DSPex:Silo");
        var tls = configuration.GetSection("DSPex:Security:Tls");
        var checks = new List<IDiagnosticCheck>
        {
            new OptionsCheck<DSPexPoolOptions>(DSPexPoolOptions.SectionName, pool, new DSPexPoolOptionsValidator()),
            new OptionsCheck<ProcessSafetyOptions>(ProcessSafetyOptions.SectionName, safety, new ProcessSafetyOptionsValidator()),
            new OptionsCheck<DSPexSecurityOptions>(DSPexSecurityOptions.SectionName, security, new DSPexSecurityOptionsValidator()),
            new OptionsCheck<DSPexSessionOptions>(DSPexSessionOptions.SectionName, sessions, new DSPexSessionOptionsValidator(Microsoft.Extensions.Options.Options.Create(pool))),
        };
        checks.AddRange(ForPool(DefaultPool, pool, listingTimeout));
        checks.Add(new StateDirectoryCheck(safety.ResolveClusterDirectory(silo["ClusterId"] ?? "dspex-dev")));
        checks.Add(new RedisCheck(silo["RedisConnectionString"]));
        checks.Add(new TlsFilesCheck("tls (silo)", "DSPex:Security:Tls", tls["CertificateFile"], tls["KeyFile"], tls["CaFile"]));
        checks.Add(new PortsCheck(
            [("DSPex:Silo:SiloPort", silo.GetValue("SiloPort", 11111)), ("DSPex:Silo:GatewayPort", silo.GetValue("GatewayPort", 30000)),
             ("DSPex:Silo:HttpPort", silo.GetValue("HttpPort", 0))],
            anyAddress: !string.IsNullOrEmpty(silo["AdvertisedAddress"])));
        return checks;
    }

    private static T Bind<T>(IConfiguration configuration, string section)
        where T : new() => configuration.GetSection(section).Get<T>() ?? new T();
}

using DSPex.Orleans.Configuration;
using DSPex.Orleans.Security;
using Microsoft.Extensions.Configuration;

namespace DSPex.Orleans.Diagnostics;

/// <summary>
/// The checks of a machine or pod, built from the configuration a silo would read (appsettings, DSPex__* / DSPEX_
/// environment, overrides). Pool checks are per pool, named "pool NAME: ...": the default pool (section DSPex:Pool)
/// and each named pool (DSPex:Pools:NAME) a silo here would run given DSPex:Labels; a named pool this machine would
/// not run gets one skipped entry saying so. Every pool's settings go through the silo's validator either way.
/// </summary>
internal static class DiagnosticChecks
{
    public const string DefaultPool = Contracts.PoolNames.Default;

    public static readonly TimeSpan DefaultListingTimeout = TimeSpan.FromSeconds(30);

    /// <summary>A pool's setting as its configuration key: DSPex:Pool:KEY for the default pool, DSPex:Pools:NAME:KEY otherwise.</summary>
    public static string PoolSetting(string pool, string key) => $"{DSPexPoolOptions.SectionOf(pool)}:{key}";

    /// <summary>The checks of one pool: interpreter, adapters and their commands, duplicate names, thread limits.</summary>
    public static IReadOnlyList<IDiagnosticCheck> ForPool(string name, DSPexPoolOptions pool, TimeSpan listingTimeout) =>
        ForPool(name, pool, new BridgeListing(pool, listingTimeout));

    public static IReadOnlyList<IDiagnosticCheck> ForMachine(IConfiguration configuration, TimeSpan listingTimeout)
    {
        var pool = Bind<DSPexPoolOptions>(configuration, DSPexPoolOptions.SectionName);
        var labels = Bind<SiloLabelOptions>(configuration, SiloLabelOptions.SectionName).Labels;
        var named = configuration.GetSection(DSPexPoolOptions.NamedPoolsSectionName).GetChildren()
            .Select(section => (Name: section.Key, Options: section.Get<DSPexPoolOptions>() ?? new DSPexPoolOptions()))
            .ToList();
        var safety = Bind<ProcessSafetyOptions>(configuration, ProcessSafetyOptions.SectionName);
        var security = Bind<DSPexSecurityOptions>(configuration, DSPexSecurityOptions.SectionName);
        var sessions = Bind<DSPexSessionOptions>(configuration, DSPexSessionOptions.SectionName);
        var silo = configuration.GetSection("DSPex:Silo");
        var tls = configuration.GetSection("DSPex:Security:Tls");
        var checks = new List<IDiagnosticCheck>
        {
            new OptionsCheck<DSPexPoolOptions>(DSPexPoolOptions.SectionName, pool, new DSPexPoolOptionsValidator()),
        };
        // A name the silo refuses is reported by the pools check below: its settings are never used.
        var usable = named.Where(p => PoolsCheck.Refusal(p.Name) is null).ToList();
        checks.AddRange(usable.Select(p => new OptionsCheck<DSPexPoolOptions>(DSPexPoolOptions.SectionOf(p.Name), p.Options, new DSPexPoolOptionsValidator(), p.Name)));
        checks.Add(new OptionsCheck<ProcessSafetyOptions>(ProcessSafetyOptions.SectionName, safety, new ProcessSafetyOptionsValidator()));
        checks.Add(new OptionsCheck<DSPexSecurityOptions>(DSPexSecurityOptions.SectionName, security, new DSPexSecurityOptionsValidator()));
        checks.Add(new OptionsCheck<DSPexSessionOptions>(DSPexSessionOptions.SectionName, sessions, new DSPexSessionOptionsValidator(Microsoft.Extensions.Options.Options.Create(pool))));
        checks.Add(new PoolsCheck(labels, [.. named.Select(p => (p.Name, p.Options.SiloLabel))], configuration.GetSection(PoolsCheck.LabelsSetting).Value));

        // The pools a silo here would run, each listed once and shared by its checks and the shared-commands check.
        var running = new List<(string Pool, BridgeListing Listing)> { (DefaultPool, new BridgeListing(pool, listingTimeout)) };
        checks.AddRange(ForPool(DefaultPool, pool, running[0].Listing));
        foreach (var (name, options) in usable)
        {
            if (PoolsCheck.RunsHere(options.SiloLabel, labels))
            {
                running.Add((name, new BridgeListing(options, listingTimeout)));
                checks.AddRange(ForPool(name, options, running[^1].Listing));
            }
            else
            {
                checks.Add(new NotRunHereCheck($"pool {name}",
                    $"not run on this machine: its SiloLabel {options.SiloLabel} is not in {PoolsCheck.LabelsSetting} (silos labelled {options.SiloLabel} run it; check it there)"));
            }
        }

        if (running.Count > 1)
        {
            checks.Add(new SharedCommandsCheck(running));
        }

        checks.Add(new StateDirectoryCheck(safety.ResolveClusterDirectory(silo["ClusterId"] ?? "dspex-dev")));
        checks.Add(new RedisCheck(silo["RedisConnectionString"]));
        checks.Add(new TlsFilesCheck("tls (silo)", "DSPex:Security:Tls", tls["CertificateFile"], tls["KeyFile"], tls["CaFile"]));
        checks.Add(new PortsCheck(
            [("DSPex:Silo:SiloPort", silo.GetValue("SiloPort", 11111)), ("DSPex:Silo:GatewayPort", silo.GetValue("GatewayPort", 30000)),
             ("DSPex:Silo:HttpPort", silo.GetValue("HttpPort", 0))],
            anyAddress: !string.IsNullOrEmpty(silo["AdvertisedAddress"])));
        return checks;
    }

    private static IReadOnlyList<IDiagnosticCheck> ForPool(string name, DSPexPoolOptions pool, BridgeListing listing) =>
    [
        new PythonCheck(name, pool.PythonExecutable),
        new AdaptersCheck(name, listing, pool.AdapterPaths),
        new DuplicateCommandsCheck(name, listing),
        new ThreadEnvironmentCheck(name, listing, pool.EffectiveMaxSize),
    ];

    private static T Bind<T>(IConfiguration configuration, string section)
        where T : new() => configuration.GetSection(section).Get<T>() ?? new T();

    /// <summary>A check that does not apply to this machine, with the reason.</summary>
    private sealed class NotRunHereCheck(string name, string why) : IDiagnosticCheck
    {
        public string Name => name;

        public Task<CheckResult> RunAsync(CancellationToken cancellationToken) => Task.FromResult(CheckResult.Skip(name, why));
    }
}

using Orleans.Configuration;

namespace DSPex.Orleans.Silo.Configuration;

/// <summary>
/// How fast a dead silo is found dead (configuration section "DSPex:Silo:Membership"): a preset of Orleans'
/// <see cref="ClusterMembershipOptions"/>, each of whose values a setting may override. Until a silo is declared dead,
/// calls to its sessions fail (the client sends them again), so the time to declare it is most of the fail-over time.
/// Who may set it: the operator (configuration); nothing a caller sends reaches it.
/// </summary>
public sealed class MembershipSettings
{
    public const string SectionName = "DSPex:Silo:Membership";

    /// <summary>Probes every second, two missed probes make a silo suspect: a SIGKILLed silo is declared dead in about 2-3 s (docs/operations.md).</summary>
    public const string FastFailover = "fast-failover";

    /// <summary>Orleans' own defaults (5 s probes, 3 missed): about 15 s, for networks where pauses of seconds are normal.</summary>
    public const string OrleansDefaults = "orleans-defaults";

    public static readonly IReadOnlyList<string> Presets = [FastFailover, OrleansDefaults];

    /// <summary>The preset the values start from: <see cref="FastFailover"/> (default) or <see cref="OrleansDefaults"/>.</summary>
    public string Preset { get; set; } = FastFailover;

    /// <summary>Overrides the preset's initial probe timeout (Orleans adapts it between half and four times this to the measured probe times).</summary>
    public TimeSpan? ProbeTimeout { get; set; }

    /// <summary>Overrides the preset's number of missed probes after which a silo is suspected and voted dead.</summary>
    public int? MissedProbesLimit { get; set; }

    /// <summary>Overrides the preset's number of votes that declare a silo dead (fewer when fewer other silos are active).</summary>
    public int? VotesForDeathDeclaration { get; set; }

    /// <summary>Overrides how long a vote counts.</summary>
    public TimeSpan? DeathVoteExpiration { get; set; }

    /// <summary>Sets Orleans' membership options from the preset and the overrides.</summary>
    public void ApplyTo(ClusterMembershipOptions options)
    {
        if (Preset == FastFailover)
        {
            options.ProbeTimeout = TimeSpan.FromSeconds(1);
            options.NumMissedProbesLimit = 2;
            options.NumVotesForDeathDeclaration = 2;
            options.DeathVoteExpirationTimeout = TimeSpan.FromSeconds(30);
        }

        options.ProbeTimeout = ProbeTimeout ?? options.ProbeTimeout;
        options.NumMissedProbesLimit = MissedProbesLimit ?? options.NumMissedProbesLimit;
        options.NumVotesForDeathDeclaration = VotesForDeathDeclaration ?? options.NumVotesForDeathDeclaration;
        options.DeathVoteExpirationTimeout = DeathVoteExpiration ?? options.DeathVoteExpirationTimeout;
        // Orleans derives these from ProbeTimeout at construction only; follow the value set here.
        options.MinProbeTimeout = options.ProbeTimeout / 2;
        options.MaxProbeTimeout = options.ProbeTimeout * 4;
    }
}

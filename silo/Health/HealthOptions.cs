namespace DSPex.Orleans.Silo.Health;

/// <summary>
/// How the silo's health loop probes itself (configuration section "DSPex:Silo:Health"). Read by the operator who
/// sets up the pod; nothing here is reachable from callers.
/// </summary>
public sealed class HealthOptions
{
    public const string SectionName = "DSPex:Silo:Health";

    /// <summary>How often the loop checks membership and sends its probe call; /readyz reports the last result.</summary>
    public TimeSpan ProbeInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long the probe call (a ping through this silo's own pool grain) and the membership read may take before they count as failed.</summary>
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long this silo may be out of its cluster's membership (its row missing from the membership table, or marked
    /// dead) before it gives up: /healthz fails and the silo stops with exit code 3 so its pod (or service manager)
    /// restarts it as a new member. A membership table that cannot be read does not count: a restart would not help.
    /// </summary>
    public TimeSpan MembershipLossLimit { get; set; } = TimeSpan.FromSeconds(30);
}

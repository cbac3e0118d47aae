namespace DSPex.Orleans.Workers.Processes;

/// <summary>
/// The identity a worker carries on its command line, so a process found on the host can be tied to its cluster,
/// its owning silo incarnation and its worker without trusting anything but /proc/PID/cmdline.
/// </summary>
internal sealed record ProcessMarker(string ClusterId, string Silo, string WorkerId, string InstanceToken)
{
    public const string Argument = "--dspex-marker";

    /// <summary>The marker also goes into the worker's environment: what its code spawns inherits it, and the reaper reads /proc/PID/environ.</summary>
    public const string EnvironmentVariable = "DSPEX_MARKER";
    private const string Prefix = "dspex:v1;";

    public override string ToString() =>
        $"{Prefix}cluster={ClusterId};silo={Silo};worker={WorkerId};token={InstanceToken}";

    public static bool TryParse(string text, out ProcessMarker? marker)
    {
        marker = null;
        if (!text.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in text[Prefix.Length..].Split(';'))
        {
            var eq = part.IndexOf('=');
            if (eq > 0)
            {
                fields[part[..eq]] = part[(eq + 1)..];
            }
        }

        if (fields.TryGetValue("cluster", out var cluster) && fields.TryGetValue("silo", out var silo)
            && fields.TryGetValue("worker", out var worker) && fields.TryGetValue("token", out var token))
        {
            marker = new ProcessMarker(cluster, silo, worker, token);
            return true;
        }

        return false;
    }
}

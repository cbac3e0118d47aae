using System.Text.Json;
using System.Text.Json.Serialization;

namespace DSPex.Orleans.Hosting;

/// <summary>
/// The line a silo process (dspex-silo) writes to its standard output once it serves: started, an active member,
/// every pool warmed. It is the structured readiness signal for whatever starts silos as child processes (the
/// tests' and benchmarks' harnesses, a supervisor script): a fixed prefix, then one JSON object. Log lines are
/// prose for people and may change wording; this line is the contract, defined here only, written once per start.
/// </summary>
internal static class SiloReadyLine
{
    /// <summary>Starts the line; the rest of the line is a <see cref="SiloReady"/> as JSON.</summary>
    public const string Prefix = "dspex-ready ";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    /// <summary>The line for <paramref name="ready"/>: no line breaks, so it is always one line.</summary>
    public static string Format(SiloReady ready) => Prefix + JsonSerializer.Serialize(ready, Json);

    /// <summary>The readiness a line reports, or null for any other line (a log line, or a line that is not exactly this).</summary>
    public static SiloReady? Parse(string? line)
    {
        if (line is null || !line.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<SiloReady>(line.AsSpan(Prefix.Length), Json);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>What <see cref="SiloReadyLine"/> reports.</summary>
/// <param name="Pid">The silo's process id.</param>
/// <param name="Silo">The silo's address with its generation (SiloAddress.ToParsableString()).</param>
/// <param name="WarmUpMs">How long the pools took to warm, all at once (milliseconds).</param>
/// <param name="Pools">Each pool's live workers against its size.</param>
internal sealed record SiloReady(int Pid, string Silo, long WarmUpMs, IReadOnlyList<PoolReady> Pools);

/// <summary>One pool in <see cref="SiloReady"/>.</summary>
internal sealed record PoolReady(string Name, int Live, int Size);

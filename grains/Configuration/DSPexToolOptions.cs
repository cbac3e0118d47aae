namespace DSPex.Orleans.Configuration;

/// <summary>How a silo runs the tools Python calls (configuration section "DSPex:Tools"; see docs/tools.md).</summary>
public sealed class DSPexToolOptions
{
    /// <summary>The configuration section these options bind to.</summary>
    public const string SectionName = "DSPex:Tools";

    /// <summary>While a client's tool runs, the silo pings that client this often.</summary>
    public TimeSpan ClientProbeInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>A client that does not answer a ping within this is taken for gone: its tool call fails (ToolUnavailable).</summary>
    public TimeSpan ClientProbeTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Tool calls one worker may have in flight at once; past it a call fails at once (TooManyToolCalls).</summary>
    public int MaxToolCallsPerWorker { get; set; } = 64;
}

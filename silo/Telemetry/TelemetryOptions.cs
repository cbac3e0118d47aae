namespace DSPex.Orleans.Silo.Telemetry;

/// <summary>Where metrics and traces go (configuration section "DSPex:Telemetry").</summary>
public sealed class TelemetryOptions
{
    public const string SectionName = "DSPex:Telemetry";

    /// <summary>Serve a Prometheus scrape endpoint at /metrics.</summary>
    public bool Prometheus { get; set; }

    /// <summary>Export metrics and traces over OTLP to this endpoint (e.g. http://otel-collector:4317).</summary>
    public string? OtlpEndpoint { get; set; }
}

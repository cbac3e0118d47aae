using System.Diagnostics;

namespace DSPex.Orleans.Telemetry;

/// <summary>The activity source of a request's span on the worker (Orleans propagates the caller's trace to it).</summary>
public static class DSPexActivities
{
    /// <summary>The ActivitySource name an OpenTelemetry pipeline adds (AddSource) to export the worker spans.</summary>
    public const string SourceName = "DSPex.Orleans";

    internal static readonly ActivitySource Source = new(SourceName);
}

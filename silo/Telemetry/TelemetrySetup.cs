using DSPex.Orleans.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace DSPex.Orleans.Silo.Telemetry;

/// <summary>OpenTelemetry for the silo: the DSPex and Orleans meters and activity sources, to Prometheus and/or OTLP.</summary>
public static class TelemetrySetup
{
    public static void AddSiloTelemetry(this WebApplicationBuilder builder, TelemetryOptions options)
    {
        if (!options.Prometheus && string.IsNullOrEmpty(options.OtlpEndpoint))
        {
            return;
        }

        var telemetry = builder.Services.AddOpenTelemetry();
        telemetry.WithMetrics(metrics =>
        {
            metrics.AddMeter(InstrumentNames.MeterName, "Microsoft.Orleans");
            if (options.Prometheus)
            {
                metrics.AddPrometheusExporter();
            }

            if (!string.IsNullOrEmpty(options.OtlpEndpoint))
            {
                metrics.AddOtlpExporter(o => o.Endpoint = new Uri(options.OtlpEndpoint));
            }
        });
        if (!string.IsNullOrEmpty(options.OtlpEndpoint))
        {
            telemetry.WithTracing(tracing => tracing
                .AddSource(DSPexActivities.SourceName, "Microsoft.Orleans.Runtime", "Microsoft.Orleans.Application")
                .AddOtlpExporter(o => o.Endpoint = new Uri(options.OtlpEndpoint)));
        }
    }

    public static void MapSiloTelemetry(this WebApplication app, TelemetryOptions options)
    {
        if (options.Prometheus)
        {
            app.MapPrometheusScrapingEndpoint();
        }
    }
}

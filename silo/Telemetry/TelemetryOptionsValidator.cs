using Microsoft.Extensions.Options;

namespace DSPex.Orleans.Silo.Telemetry;

/// <summary>Rejects an OTLP endpoint that is not an absolute http(s) address, which the exporter would fail on later.</summary>
internal sealed class TelemetryOptionsValidator : IValidateOptions<TelemetryOptions>
{
    public ValidateOptionsResult Validate(string? name, TelemetryOptions options) =>
        options.OtlpEndpoint is { Length: > 0 } endpoint
        && !(Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
            ? ValidateOptionsResult.Fail($"{TelemetryOptions.SectionName}:OtlpEndpoint must be an absolute http or https address (is '{endpoint}').")
            : ValidateOptionsResult.Success;
}

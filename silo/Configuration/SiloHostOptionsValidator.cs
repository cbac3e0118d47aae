using System.Net;
using Microsoft.Extensions.Options;

namespace DSPex.Orleans.Silo.Configuration;

/// <summary>Rejects silo settings the host could not listen or join with, naming the setting and its value.</summary>
internal sealed class SiloHostOptionsValidator : IValidateOptions<SiloHostOptions>
{
    public ValidateOptionsResult Validate(string? name, SiloHostOptions options)
    {
        var failures = new List<string>();
        Required(options.ClusterId, nameof(options.ClusterId));
        Required(options.ServiceId, nameof(options.ServiceId));
        Port(options.SiloPort, nameof(options.SiloPort), allowZero: false);
        Port(options.GatewayPort, nameof(options.GatewayPort), allowZero: false);
        Port(options.HttpPort, nameof(options.HttpPort), allowZero: true);
        if (options.SiloPort == options.GatewayPort)
        {
            failures.Add($"{SiloHostOptions.SectionName}:SiloPort and GatewayPort must differ (both are {options.SiloPort}).");
        }

        if (options.DrainTimeout < TimeSpan.Zero)
        {
            failures.Add($"{SiloHostOptions.SectionName}:DrainTimeout must not be negative (is {options.DrainTimeout}).");
        }

        if (options.PrimarySiloEndpoint is { Length: > 0 } primary && !IPEndPoint.TryParse(primary, out _))
        {
            failures.Add($"{SiloHostOptions.SectionName}:PrimarySiloEndpoint must be an address and port such as 127.0.0.1:11111 (is '{primary}').");
        }

        if (options.AdvertisedAddress is { Length: > 0 } advertised && !IPAddress.TryParse(advertised, out _))
        {
            failures.Add($"{SiloHostOptions.SectionName}:AdvertisedAddress must be an IP address (is '{advertised}').");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);

        void Required(string value, string setting)
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                failures.Add($"{SiloHostOptions.SectionName}:{setting} must not be empty.");
            }
        }

        void Port(int value, string setting, bool allowZero)
        {
            if (value is < 0 or > IPEndPoint.MaxPort || (value == 0 && !allowZero))
            {
                failures.Add($"{SiloHostOptions.SectionName}:{setting} must be a port number{(allowZero ? " or 0" : "")} (is {value}).");
            }
        }
    }
}

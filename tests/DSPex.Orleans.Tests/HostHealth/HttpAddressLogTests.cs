using System.Net;
using System.Text.RegularExpressions;
using DSPex.Orleans.Tests.Infrastructure;

namespace DSPex.Orleans.Tests.HostHealth;

/// <summary>
/// The silo logs where its HTTP endpoints listen at start: with the default DSPex:Silo:HttpPort (0, a random loopback
/// port) that line is the only way to find /healthz. The address it logs answers.
/// </summary>
[Trait("Category", "Process")]
[Collection(TestSuite.SideBySide.HttpAddressLog)]
public sealed partial class HttpAddressLogTests : IDisposable
{
    private readonly TemporaryDirectory _state = new();

    public void Dispose() => _state.Dispose();

    [Fact]
    public async Task The_silo_logs_its_random_http_address_and_health_answers_there()
    {
        await using var silo = RealSiloProcess.Start(RealSiloSettings.Fresh(_state.Path));
        await silo.Warm;

        // Logged before the ready line, but through the logger's queue: it may reach the pipe after it.
        var logged = HttpAddress().Match(await silo.LoggedLineAsync(l => HttpAddress().IsMatch(l), "the 'HTTP endpoints at' line"));
        using var http = new SiloHttp(int.Parse(logged.Groups["port"].Value, System.Globalization.CultureInfo.InvariantCulture));
        var (status, body) = (await Eventually.HoldsAsync(() => http.GetAsync("/healthz"), answer => answer is not null, "/healthz answering at the logged address"))!.Value;
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.NotEmpty(body);
    }

    [GeneratedRegex(@"HTTP endpoints at http://127\.0\.0\.1:(?<port>\d+)")]
    private static partial Regex HttpAddress();
}

using System.Net;
using System.Net.Http.Headers;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using DSPex.Orleans.Tests.Infrastructure;

namespace DSPex.Orleans.Tests.Security;

/// <summary>
/// The silo's HTTP port seen from another address: /healthz and /readyz answer anyone; /metrics answers loopback,
/// or a request carrying an API key with the "stats" scope, and nobody else.
/// </summary>
[Trait("Category", "Process")]
[Collection(TestSuite.SideBySide.MonitoringAccess)]
public sealed class MonitoringAccessTests
{
    [Fact]
    public async Task MetricsNeedLoopbackOrAStatsKeyWhileProbesStayOpen()
    {
        var external = NonLoopbackAddress();
        Assert.True(external is not null, "this machine has no non-loopback IPv4 address to call the silo from");
        using var state = new TemporaryDirectory();
        var statsKey = ApiKeys.New();
        var executeKey = ApiKeys.New();
        var httpPort = FreePorts.Next();
        var settings = ApiKeys.Settings(("scraper", statsKey, ["stats"]), ("app", executeKey, ["execute", "command:*"]));
        settings["DSPex:Silo:HttpPort"] = httpPort.ToString();
        settings["DSPex:Telemetry:Prometheus"] = "true";
        await using var silo = RealSiloProcess.Start(RealSiloSettings.Fresh(state.Path) with { Extra = settings });
        await silo.Warm.WaitAsync(TimeSpan.FromMinutes(2));

        using var http = new HttpClient();
        async Task<HttpStatusCode> GetAsync(IPAddress address, string path, string? key = null)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"http://{address}:{httpPort}{path}");
            if (key is not null)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
            }

            using var response = await http.SendAsync(request);
            return response.StatusCode;
        }

        await Eventually.HoldsAsync(() => ListeningAsync(httpPort), listening => listening, "the silo's HTTP endpoint listening");
        Assert.Equal(HttpStatusCode.OK, await GetAsync(external!, "/healthz"));
        // Ready once the silo has started and its health loop's first probe call answered (a moment after "warm").
        await Eventually.HoldsAsync(() => GetAsync(external!, "/readyz"), status => status == HttpStatusCode.OK, "/readyz 200 from another address");
        Assert.Equal(HttpStatusCode.Unauthorized, await GetAsync(external!, "/metrics"));
        Assert.Equal(HttpStatusCode.Unauthorized, await GetAsync(external!, "/metrics", executeKey));
        Assert.Equal(HttpStatusCode.Unauthorized, await GetAsync(external!, "/metrics", ApiKeys.New()));
        Assert.Equal(HttpStatusCode.OK, await GetAsync(external!, "/metrics", statsKey));
        Assert.Equal(HttpStatusCode.OK, await GetAsync(IPAddress.Loopback, "/metrics"));
    }

    [Fact]
    public async Task AnHttpConnectionSendingWrongKeysIsRefusedWhileAnotherIsServed()
    {
        // Issue 20: past DSPex:Security:AuthFailureLimit wrong keys within the window, that connection gets 429 with
        // Retry-After (even with the right key); a new connection is not affected.
        var external = NonLoopbackAddress();
        Assert.True(external is not null, "this machine has no non-loopback IPv4 address to call the silo from");
        using var state = new TemporaryDirectory();
        var statsKey = ApiKeys.New();
        var httpPort = FreePorts.Next();
        var settings = ApiKeys.Settings(("scraper", statsKey, ["stats"]));
        settings["DSPex:Silo:HttpPort"] = httpPort.ToString();
        settings["DSPex:Telemetry:Prometheus"] = "true";
        settings["DSPex:Security:AuthFailureLimit"] = "3";
        await using var silo = RealSiloProcess.Start(RealSiloSettings.Fresh(state.Path) with { Extra = settings });
        await silo.Warm.WaitAsync(TimeSpan.FromMinutes(2));
        await Eventually.HoldsAsync(() => ListeningAsync(httpPort), listening => listening, "the silo's HTTP endpoint listening");

        // One connection each: requests on a client go one after another over its single kept-alive connection.
        using var guesser = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1 });
        using var scraper = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1 });
        async Task<HttpResponseMessage> GetAsync(HttpClient http, string key)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"http://{external}:{httpPort}/metrics");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
            return await http.SendAsync(request);
        }

        for (var i = 0; i < 3; i++)
        {
            using var wrong = await GetAsync(guesser, ApiKeys.New());
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        using (var refused = await GetAsync(guesser, statsKey))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
            Assert.NotNull(refused.Headers.RetryAfter?.Delta);
        }

        using var served = await GetAsync(scraper, statsKey);
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
    }

    private static async Task<bool> ListeningAsync(int port)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static IPAddress? NonLoopbackAddress() =>
        NetworkInterface.GetAllNetworkInterfaces()
            .Where(nic => nic.OperationalStatus == OperationalStatus.Up && nic.NetworkInterfaceType != NetworkInterfaceType.Loopback)
            .SelectMany(nic => nic.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a));
}

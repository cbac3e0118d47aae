using System.Net;

namespace DSPex.Orleans.Tests.Infrastructure;

/// <summary>A real silo's HTTP endpoints (/healthz, /readyz, /metrics) as a kubelet or Prometheus reads them.</summary>
public sealed class SiloHttp(int port) : IDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };

    public int Port => port;

    /// <summary>The status and body, or null when nothing answered (connection refused: curl's 000).</summary>
    public async Task<(HttpStatusCode Status, string Body)?> GetAsync(string path)
    {
        try
        {
            using var response = await _http.GetAsync($"http://127.0.0.1:{port}{path}");
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    public void Dispose() => _http.Dispose();
}

using System.Net.Sockets;

namespace DSPex.Orleans.Cli;

/// <summary>
/// A plain TCP connect to each gateway before the Orleans client connects, to tell apart what Orleans' retries hide:
/// every gateway refusing (nothing listens: fail at once), and a gateway that accepted but did not admit the client
/// (a wrong cluster or service id, or TLS). The probe closes each connection without sending anything.
/// </summary>
internal readonly record struct GatewayReachability(bool AllRefused, bool AnyAccepted)
{
    /// <summary>Probes every endpoint at once, each bounded by the connect timeout (capped: a probe only advises).</summary>
    public static async Task<GatewayReachability> ProbeAsync(IReadOnlyList<(string Host, int Port)> endpoints, TimeSpan connectTimeout, CancellationToken cancellationToken)
    {
        if (endpoints.Count == 0)
        {
            return new GatewayReachability(false, false);
        }

        var bound = connectTimeout < TimeSpan.FromSeconds(5) ? connectTimeout : TimeSpan.FromSeconds(5);
        var outcomes = await Task.WhenAll(endpoints.Select(e => ProbeAsync(e.Host, e.Port, bound, cancellationToken)));
        return new GatewayReachability(outcomes.All(o => o == Outcome.Refused), outcomes.Any(o => o == Outcome.Accepted));
    }

    private static async Task<Outcome> ProbeAsync(string host, int port, TimeSpan bound, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(bound);
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(host, port, limit.Token);
            return Outcome.Accepted;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
        {
            return Outcome.Refused;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            // Unresolvable, unreachable or slow: the Orleans client's own connect (and its timeout) decides.
            return Outcome.Unknown;
        }
    }

    private enum Outcome
    {
        Unknown,
        Refused,
        Accepted,
    }
}

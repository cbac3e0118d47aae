using System.Net;
using System.Net.Sockets;

namespace DSPex.Orleans.Diagnostics;

/// <summary>
/// The silo's ports can be listened on. A port in use is a warning, not a failure: on a machine or pod where the silo
/// already runs, its own ports are in use (it says which, so a clash with another program is plain).
/// </summary>
internal sealed class PortsCheck(IReadOnlyList<(string Setting, int Port)> ports, bool anyAddress) : IDiagnosticCheck
{
    public string Name => "ports";

    public Task<CheckResult> RunAsync(CancellationToken cancellationToken)
    {
        var address = anyAddress ? IPAddress.Any : IPAddress.Loopback;
        var details = new List<string>();
        var inUse = new List<string>();
        foreach (var (setting, port) in ports.Where(p => p.Port > 0))
        {
            var listener = new TcpListener(address, port);
            try
            {
                listener.Start();
                details.Add($"{setting} {address}:{port} free");
            }
            catch (SocketException e)
            {
                inUse.Add($"{setting} {port}");
                details.Add($"{setting} {address}:{port} {(e.SocketErrorCode == SocketError.AddressAlreadyInUse ? "in use" : e.SocketErrorCode.ToString())}");
            }
            finally
            {
                listener.Stop();
            }
        }

        return Task.FromResult(inUse.Count == 0
            ? CheckResult.Pass(Name, "every port is free", details)
            : new CheckResult(Name, CheckStatus.Warn, $"in use: {string.Join(", ", inUse)} (fine if this is the silo's own machine or pod and it is running)", null, details));
    }
}

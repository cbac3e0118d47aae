using System.Net;
using System.Net.Sockets;

namespace DSPex.Orleans.Benchmarks.Infrastructure;

/// <summary>Loopback ports nobody listens on, so a benchmark cluster never meets a developer's silo on 11111/30000.</summary>
public static class FreePorts
{
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

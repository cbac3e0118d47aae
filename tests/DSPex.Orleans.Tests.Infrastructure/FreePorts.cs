using System.Net;
using System.Net.Sockets;

namespace DSPex.Orleans.Tests.Infrastructure;

/// <summary>The one way tests pick a loopback port for a silo, gateway, HTTP endpoint or redis-server.</summary>
public static class FreePorts
{
    /// <summary>A port the OS just handed out and took back: free now, and unlikely to be handed out again soon.</summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

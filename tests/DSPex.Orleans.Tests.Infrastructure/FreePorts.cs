using System.Net;
using System.Net.Sockets;

namespace DSPex.Orleans.Tests.Infrastructure;

/// <summary>The one way tests pick a loopback port for a silo, gateway, HTTP endpoint or redis-server.</summary>
public static class FreePorts
{
    // The kernel picks a bound-then-closed port at random from the ephemeral range, so two picks in one test run can be
    // the same port (a silo port equal to its gateway port, two silos on one port): a birthday collision, rare per
    // pick and likely over a suite's hundreds. A port is handed out once per test process.
    private static readonly HashSet<int> HandedOut = [];

    /// <summary>A port the OS just handed out and took back: free now, and never handed out again by this process.</summary>
    public static int Next()
    {
        while (true)
        {
            int port;
            using (var listener = new TcpListener(IPAddress.Loopback, 0))
            {
                listener.Start();
                port = ((IPEndPoint)listener.LocalEndpoint).Port;
            }

            lock (HandedOut)
            {
                if (HandedOut.Add(port))
                {
                    return port;
                }
            }
        }
    }
}

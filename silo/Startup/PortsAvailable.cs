using System.Net;
using System.Net.Sockets;
using DSPex.Orleans.Silo.Configuration;
using DSPex.Orleans.Silo.Security;

namespace DSPex.Orleans.Silo.Startup;

/// <summary>
/// Refuses to start a silo whose silo, gateway or HTTP port another process already listens on. Orleans binds its
/// listeners with ReuseAddress, which .NET maps to SO_REUSEPORT on Linux, so a second silo on a running silo's ports
/// used to bind them too and the kernel split connections between the two. This bind sets SO_REUSEADDR only (a
/// leftover TIME_WAIT connection does not block a restart) and not SO_REUSEPORT, so any listener on the port fails it.
/// </summary>
internal static class PortsAvailable
{
    // Linux values (setsockopt level and option): the portable SocketOptionName.ReuseAddress would set SO_REUSEPORT.
    private const int SolSocket = 1;
    private const int SoReuseAddr = 2;

    public static void Verify(SiloHostOptions silo)
    {
        // Where the silo listens: all addresses when it advertises one with Redis membership, loopback otherwise.
        var siloAddress = ExposureCheck.ListensBeyondLoopback(silo) ? IPAddress.Any : IPAddress.Loopback;
        Verify(siloAddress, silo.SiloPort, nameof(silo.SiloPort));
        Verify(siloAddress, silo.GatewayPort, nameof(silo.GatewayPort));
        if (silo.HttpPort > 0)
        {
            Verify(IPAddress.Any, silo.HttpPort, nameof(silo.HttpPort));
        }
    }

    private static void Verify(IPAddress address, int port, string setting)
    {
        using var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        if (OperatingSystem.IsLinux())
        {
            socket.SetRawSocketOption(SolSocket, SoReuseAddr, BitConverter.GetBytes(1));
        }

        try
        {
            socket.Bind(new IPEndPoint(address, port));
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.AddressAlreadyInUse or SocketError.AccessDenied)
        {
            var why = e.SocketErrorCode == SocketError.AddressAlreadyInUse ? "is already in use" : "may not be listened on by this user";
            throw new SiloConfigurationException(
                $"{SiloHostOptions.SectionName}:{setting}: port {port} {why} on {address} (another silo, or another process, listens there); choose a free port or stop the other process.");
        }
    }
}

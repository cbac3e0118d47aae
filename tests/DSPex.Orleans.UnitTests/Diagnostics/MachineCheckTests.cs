using System.Net;
using System.Net.Sockets;
using DSPex.Orleans.Configuration;
using DSPex.Orleans.Diagnostics;
using DSPex.Orleans.Tests.Infrastructure;

namespace DSPex.Orleans.UnitTests.Diagnostics;

/// <summary>The checks that need no Python: state directory (the silo's own rules, on real folders), ports (a real
/// listener), Redis (refused connection; the password never shown) and the option validators the silo runs.</summary>
[Trait("Category", "Unit")]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class MachineCheckTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("dspex-doctor-state-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task A_missing_state_directory_passes_without_being_created()
    {
        var cluster = Path.Combine(_root, "state", "cluster");

        var result = await new StateDirectoryCheck(cluster).RunAsync(CancellationToken.None);

        Assert.Equal(CheckStatus.Pass, result.Status);
        Assert.Contains("does not exist yet", result.Summary, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_root, "state")));
    }

    [Fact]
    public async Task A_world_writable_state_directory_fails_with_the_silos_reason_and_an_owner_only_one_passes_with_owner_and_mode()
    {
        var open = Directory.CreateDirectory(Path.Combine(_root, "open", "cluster")).FullName;
        File.SetUnixFileMode(open, (UnixFileMode)0x1FF); // 0777
        var safe = Directory.CreateDirectory(Path.Combine(_root, "safe", "cluster"), (UnixFileMode)0x1C0).FullName; // 0700
        File.SetUnixFileMode(Path.GetDirectoryName(safe)!, (UnixFileMode)0x1C0);

        var refused = await new StateDirectoryCheck(open).RunAsync(CancellationToken.None);
        var accepted = await new StateDirectoryCheck(safe).RunAsync(CancellationToken.None);

        Assert.Equal((CheckStatus.Fail, StateDirectoryCheck.Setting), (refused.Status, refused.Setting));
        Assert.Contains("writable by group or others (mode 0777)", refused.Summary, StringComparison.Ordinal);
        Assert.Equal(CheckStatus.Pass, accepted.Status);
        Assert.Contains("mode 0700", Assert.Single(accepted.Details), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_port_in_use_is_named()
    {
        var held = new TcpListener(IPAddress.Loopback, 0);
        held.Start();
        try
        {
            var port = ((IPEndPoint)held.LocalEndpoint).Port;
            var free = FreePorts.Next();

            var result = await new PortsCheck([("DSPex:Silo:GatewayPort", port), ("DSPex:Silo:SiloPort", free)], anyAddress: false).RunAsync(CancellationToken.None);

            Assert.Equal(CheckStatus.Warn, result.Status);
            Assert.Contains($"DSPex:Silo:GatewayPort {port}", result.Summary, StringComparison.Ordinal);
            Assert.Contains(result.Details, d => d.EndsWith($":{free} free", StringComparison.Ordinal));
        }
        finally
        {
            held.Stop();
        }
    }

    [Fact]
    public async Task Unreachable_redis_fails_naming_the_endpoint_and_never_the_password()
    {
        const string Password = "pa55-never-printed";
        var port = FreePorts.Next();

        var result = await new RedisCheck($"127.0.0.1:{port},password={Password},connectTimeout=2000").RunAsync(CancellationToken.None);

        Assert.Equal((CheckStatus.Fail, RedisCheck.SiloSetting), (result.Status, result.Setting));
        Assert.Contains($"127.0.0.1:{port}", result.Summary, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, string.Join("\n", [result.Message, .. result.Details]), StringComparison.Ordinal);
        Assert.Equal(CheckStatus.Skip, (await new RedisCheck(null).RunAsync(CancellationToken.None)).Status);
    }

    [Fact]
    public async Task Settings_go_through_the_validators_the_silo_runs()
    {
        var pool = new DSPexPoolOptions { Size = 0 };

        var result = await new OptionsCheck<DSPexPoolOptions>(DSPexPoolOptions.SectionName, pool, new DSPexPoolOptionsValidator()).RunAsync(CancellationToken.None);

        Assert.Equal(CheckStatus.Fail, result.Status);
        Assert.Contains("DSPex:Pool:Size must be positive (is 0).", result.Summary, StringComparison.Ordinal);
    }
}

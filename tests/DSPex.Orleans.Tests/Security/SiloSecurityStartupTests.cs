using DSPex.Orleans.Tests.Infrastructure;

namespace DSPex.Orleans.Tests.Security;

/// <summary>
/// Security settings a silo must not start with, each refused before the silo joins a cluster with exit code 2
/// and a message naming the setting. The Redis address is a closed port: a silo that got past the security
/// checks stops at the Redis check instead, which shows which check refused it.
/// </summary>
[Trait("Category", "Process")]
[Collection(TestSuite.SideBySide.SiloSecurityStartup)]
public sealed class SiloSecurityStartupTests
{
    private const string ClosedRedis = "127.0.0.1:1";

    [Fact]
    public async Task ASiloOnAllAddressesWithoutCredentialsRefusesToStart()
    {
        var output = await StartExpectingRefusalAsync(new() { ["DSPex:Silo:AdvertisedAddress"] = "127.0.0.1" });
        Assert.Contains("DSPex:Security", output);
        Assert.Contains("AllowAnonymous", output);
    }

    [Fact]
    public async Task AllowAnonymousOrAnApiKeyLetsItPastTheExposureCheck()
    {
        var anonymous = await StartExpectingRefusalAsync(new()
        {
            ["DSPex:Silo:AdvertisedAddress"] = "127.0.0.1",
            ["DSPex:Security:AllowAnonymous"] = "true",
        });
        Assert.DoesNotContain("AllowAnonymous", anonymous);
        Assert.Contains("DSPex:Silo:RedisConnectionString", anonymous);

        var keyed = await StartExpectingRefusalAsync(new(ApiKeys.Settings(("app", ApiKeys.New(), ["*"])))
        {
            ["DSPex:Silo:AdvertisedAddress"] = "127.0.0.1",
        });
        Assert.DoesNotContain("AllowAnonymous", keyed);
        Assert.Contains("DSPex:Silo:RedisConnectionString", keyed);
    }

    [Fact]
    public async Task AnApiKeyHashThatIsNotSha256IsNamed()
    {
        var output = await StartExpectingRefusalAsync(new() { ["DSPex:Security:ApiKeys:ops:Hash"] = "plaintext-key" });
        Assert.Contains("DSPex:Security:ApiKeys:ops:Hash", output);
        Assert.DoesNotContain("plaintext-key", output);
    }

    [Fact]
    public async Task TlsWithoutItsCertificateIsNamed()
    {
        using var certificates = new TestCertificates("startup");
        var output = await StartExpectingRefusalAsync(new()
        {
            ["DSPex:Security:Tls:CaFile"] = certificates.CaFile,
            ["DSPex:Security:Tls:CertificateFile"] = Path.Combine(certificates.Directory, "missing.crt"),
            ["DSPex:Security:Tls:KeyFile"] = Path.Combine(certificates.Directory, "missing.key"),
        });
        Assert.Contains("DSPex:Security:Tls:CertificateFile", output);
    }

    private static async Task<string> StartExpectingRefusalAsync(Dictionary<string, string> settings)
    {
        using var state = new TemporaryDirectory();
        await using var silo = RealSiloProcess.Start(RealSiloSettings.WithRedis(state.Path, $"refused-{Guid.NewGuid():N}", ClosedRedis) with { Extra = settings });
        var exitCode = await silo.ExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        Assert.True(exitCode == 2, $"exit code {exitCode}:\n{silo.Output}");
        Assert.Contains("configuration error", silo.Output);
        return silo.Output;
    }
}

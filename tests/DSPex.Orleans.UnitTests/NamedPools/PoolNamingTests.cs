using System.Net;
using DSPex.Orleans.Configuration;
using DSPex.Orleans.Contracts;
using DSPex.Orleans.Placement;

namespace DSPex.Orleans.UnitTests.NamedPools;

/// <summary>Pool names in worker keys, and the settings of named pools.</summary>
[Trait("Category", "Unit")]
public sealed class PoolNamingTests
{
    private static readonly SiloAddress Silo = SiloAddress.New(new IPEndPoint(IPAddress.Loopback, 11111), 7);

    [Fact]
    public void A_default_pool_worker_key_is_the_key_sessions_stored_before_pools_had_names()
    {
        var key = SiloKeys.ForWorker(Silo, PoolNames.Default, 3);
        Assert.Equal(SiloKeys.ForWorker(Silo, 3), key);
        Assert.Equal(PoolNames.Default, SiloKeys.ParsePool(key));
        Assert.Equal(3, SiloKeys.ParseSlot(key));
        Assert.Equal(Silo, SiloKeys.ParseSilo(key));
    }

    [Fact]
    public void A_named_pool_worker_key_carries_the_pool_between_silo_and_slot()
    {
        var key = SiloKeys.ForWorker(Silo, "gpu-2", 11);
        Assert.Equal("gpu-2", SiloKeys.ParsePool(key));
        Assert.Equal(11, SiloKeys.ParseSlot(key));
        Assert.Equal(Silo, SiloKeys.ParseSilo(key));
    }

    [Theory]
    [InlineData("default")]
    [InlineData("gpu")]
    [InlineData("a")]
    [InlineData("llm_big-2")]
    [InlineData("0abcdefghijklmnopqrstuvwxyz_-123")]
    public void Plain_short_names_are_pool_names(string name) => Assert.Null(PoolNames.Check(name));

    [Theory]
    [InlineData("GPU")]
    [InlineData("-gpu")]
    [InlineData("_gpu")]
    [InlineData("gpu pool")]
    [InlineData("gpu|1")]
    [InlineData("gpu:1")]
    [InlineData("0abcdefghijklmnopqrstuvwxyz_-1234")]
    public void Anything_else_is_refused(string name) => Assert.Equal(DSPexErrorKind.InvalidArguments, PoolNames.Check(name)?.Kind);

    [Fact]
    public void A_named_pools_settings_are_checked_under_its_own_section()
    {
        var validator = new DSPexPoolOptionsValidator();
        var result = validator.Validate("gpu", new DSPexPoolOptions { Size = 0, SiloLabel = "gpu" });
        Assert.Contains("DSPex:Pools:gpu:Size must be positive (is 0).", result.Failures!);
        Assert.Single(result.Failures!);
    }

    [Fact]
    public void The_default_pool_takes_no_silo_label_and_a_label_or_pool_name_must_be_plain()
    {
        var validator = new DSPexPoolOptionsValidator();
        Assert.Contains(validator.Validate(null, new DSPexPoolOptions { SiloLabel = "gpu" }).Failures!, f => f.StartsWith("DSPex:Pool:SiloLabel must be unset", StringComparison.Ordinal));
        Assert.Contains(validator.Validate("gpu", new DSPexPoolOptions { SiloLabel = "G P U" }).Failures!, f => f.StartsWith("DSPex:Pools:gpu:SiloLabel must be", StringComparison.Ordinal));
        Assert.Contains(validator.Validate("Big Pool", new DSPexPoolOptions()).Failures!, f => f.StartsWith("DSPex:Pools:Big Pool: the pool name has the character", StringComparison.Ordinal));
    }
}

using DSPex.Orleans.Configuration;
using DSPex.Orleans.Security;
using Microsoft.Extensions.Options;

namespace DSPex.Orleans.UnitTests.Configuration;

[Trait("Category", "Unit")]
public sealed class OtherOptionsValidatorTests
{
    [Fact]
    public void Process_safety_refuses_a_sweep_period_that_is_not_positive_and_a_negative_grace()
    {
        var result = new ProcessSafetyOptionsValidator().Validate(null,
            new ProcessSafetyOptions { SweepPeriod = TimeSpan.Zero, KillGracePeriod = TimeSpan.FromSeconds(-1) });

        Assert.Equal(
            ["DSPex:ProcessSafety:SweepPeriod must be positive (is 00:00:00).", "DSPex:ProcessSafety:KillGracePeriod must not be negative (is -00:00:01)."],
            result.Failures);
        Assert.True(new ProcessSafetyOptionsValidator().Validate(null, new ProcessSafetyOptions()).Succeeded);
    }

    [Fact]
    public void Security_names_a_key_whose_hash_is_not_sha256_without_repeating_the_text()
    {
        var options = new DSPexSecurityOptions
        {
            ApiKeys =
            {
                ["good"] = new ApiKeyOptions { Hash = ApiKeyHash.Of("a long random key"), Scopes = ["*"] },
                ["ops"] = new ApiKeyOptions { Hash = "plaintext-key", Scopes = ["stats"] },
                ["blank"] = new ApiKeyOptions { Hash = ApiKeyHash.Of("another key"), Scopes = [" "] },
            },
        };

        var failures = new DSPexSecurityOptionsValidator().Validate(null, options).Failures!.ToList();

        Assert.Equal(2, failures.Count);
        Assert.Contains(failures, f => f.Contains("DSPex:Security:ApiKeys:ops:Hash", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("DSPex:Security:ApiKeys:blank:Scopes", StringComparison.Ordinal));
        Assert.DoesNotContain(failures, f => f.Contains("plaintext-key", StringComparison.Ordinal));
    }

    [Fact]
    public void A_hash_parses_with_or_without_its_prefix_and_only_at_sha256_length()
    {
        var hash = ApiKeyHash.Of("key");

        Assert.StartsWith("sha256:", hash, StringComparison.Ordinal);
        Assert.Equal(32, ApiKeyHash.Parse(hash)!.Length);
        Assert.Equal(ApiKeyHash.Parse(hash), ApiKeyHash.Parse(hash["sha256:".Length..]));
        Assert.Null(ApiKeyHash.Parse("sha256:abcd"));
        Assert.Null(ApiKeyHash.Parse("sha256:" + new string('g', 64)));
    }

    [Fact]
    public void Sessions_refuse_limits_that_would_not_fit_the_pools_frame()
    {
        var validator = new DSPexSessionOptionsValidator(Options.Create(new DSPexPoolOptions { MaxFrameBytes = 1024 * 1024 }));

        var result = validator.Validate(null, new DSPexSessionOptions());

        Assert.Contains(result.Failures!, f => f.Contains("MaxVariablesTotalBytes", StringComparison.Ordinal) && f.Contains("MaxFrameBytes", StringComparison.Ordinal));
        Assert.True(validator.Validate(null, new DSPexSessionOptions { MaxVariableBytes = 1024, MaxVariablesTotalBytes = 256 * 1024, MaxProgramSpecBytes = 64 * 1024 }).Succeeded);
    }
}

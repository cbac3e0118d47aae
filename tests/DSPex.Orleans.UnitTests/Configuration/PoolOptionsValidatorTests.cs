using DSPex.Orleans.Configuration;

namespace DSPex.Orleans.UnitTests.Configuration;

[Trait("Category", "Unit")]
public sealed class PoolOptionsValidatorTests
{
    private static readonly DSPexPoolOptionsValidator Validator = new();

    [Fact]
    public void The_defaults_are_valid() => Assert.True(Validator.Validate(null, new DSPexPoolOptions()).Succeeded);

    public static TheoryData<string, Action<DSPexPoolOptions>> Invalid => new()
    {
        { "DSPex:Pool:Size must be positive (is 0)", o => o.Size = 0 },
        { "DSPex:Pool:ConcurrencyPerWorker must be positive (is 0)", o => o.ConcurrencyPerWorker = 0 },
        { "DSPex:Pool:ConcurrencyPerWorker must be at most 1024 (is 1025)", o => o.ConcurrencyPerWorker = 1025 },
        { "DSPex:Pool:StreamWindow must be positive (is -1)", o => o.StreamWindow = -1 },
        { "DSPex:Pool:SendAhead must be between 0 (off) and 8 (is -1)", o => o.SendAhead = -1 },
        { "DSPex:Pool:SendAhead must be between 0 (off) and 8 (is 9)", o => o.SendAhead = 9 },
        { "DSPex:Pool:MaxQueueLength must not be negative (is -1)", o => o.MaxQueueLength = -1 },
        { "DSPex:Pool:MaxFrameBytes must be positive (is 0)", o => o.MaxFrameBytes = 0 },
        { "DSPex:Pool:RecycleJitter must lie in [0, 1) (is 1)", o => o.RecycleJitter = 1 },
        { "DSPex:Pool:RecycleJitter must lie in [0, 1) (is -0.1)", o => o.RecycleJitter = -0.1 },
        { "DSPex:Pool:RecycleAfterRequests must not be negative (is -5)", o => o.RecycleAfterRequests = -5 },
        { "DSPex:Pool:QueueTimeout must be positive (is 00:00:00)", o => o.QueueTimeout = TimeSpan.Zero },
        { "DSPex:Pool:StopGracePeriod must not be negative (is -00:00:01)", o => o.StopGracePeriod = TimeSpan.FromSeconds(-1) },
        { "DSPex:Pool:MaxWorkerAge must be positive (is 00:00:00)", o => o.MaxWorkerAge = TimeSpan.Zero },
        { "DSPex:Pool:HeartbeatTimeout must be longer than HeartbeatInterval (00:00:05) (is 00:00:05)", o => o.HeartbeatTimeout = o.HeartbeatInterval = TimeSpan.FromSeconds(5) },
        { "DSPex:Pool:RequestTimeout must not exceed MaxRequestTimeout (00:01:00) (is 00:02:00)", o => (o.RequestTimeout, o.MaxRequestTimeout) = (TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(1)) },
        { "DSPex:Pool:MaxRequestTimeout must not exceed", o => o.MaxRequestTimeout = TimeSpan.FromDays(2) },
        { "DSPex:Pool:PythonExecutable must name an interpreter", o => o.PythonExecutable = " " },
        { "DSPex:Pool:MaxSpillSilos must be positive (is 0)", o => o.MaxSpillSilos = 0 },
        { "DSPex:Pool:MinSize must be at least 1 for the default pool", o => (o.MinSize, o.MaxSize) = (0, 4) },
        { "DSPex:Pool:MinSize must be at least 1 for the default pool", o => o.MinSize = -1 },
        { "DSPex:Pool:MaxSize must be at least 1", o => (o.MinSize, o.MaxSize) = (0, 0) },
        { "DSPex:Pool:MaxSize must not be below MinSize (3; unset, each stands for Size) (is 2)", o => (o.MinSize, o.MaxSize) = (3, 2) },
        { "DSPex:Pool:MaxSize must not be below MinSize (4; unset, each stands for Size) (is 2)", o => (o.Size, o.MaxSize) = (4, 2) },
        { "DSPex:Pool:ScaleUpAfter must be positive (is 00:00:00)", o => o.ScaleUpAfter = TimeSpan.Zero },
        { "DSPex:Pool:ScaleDownIdleTimeout must be positive (is -00:00:01)", o => o.ScaleDownIdleTimeout = TimeSpan.FromSeconds(-1) },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void A_value_the_pool_could_not_honour_is_refused_naming_the_setting_and_value(string failure, Action<DSPexPoolOptions> change)
    {
        var options = new DSPexPoolOptions();
        change(options);

        var result = Validator.Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.StartsWith(failure, StringComparison.Ordinal));
    }

    [Fact]
    public void Zero_means_none_where_the_setting_says_so()
    {
        var options = new DSPexPoolOptions { MaxQueueLength = 0, RecycleAfterRequests = 0, MaxWorkerResidentBytes = 0, RecycleJitter = 0, CancelGracePeriod = TimeSpan.Zero };

        Assert.True(Validator.Validate(null, options).Succeeded);
    }

    [Fact]
    public void Size_stands_for_the_bound_not_set_so_a_fixed_pool_is_min_equals_max()
    {
        Assert.True(Validator.Validate(null, new DSPexPoolOptions { Size = 3, MinSize = 1 }).Succeeded);
        Assert.Equal((1, 3), (new DSPexPoolOptions { Size = 3, MinSize = 1 }.EffectiveMinSize, new DSPexPoolOptions { Size = 3, MinSize = 1 }.EffectiveMaxSize));
        Assert.Equal((3, 3), (new DSPexPoolOptions { Size = 3 }.EffectiveMinSize, new DSPexPoolOptions { Size = 3 }.EffectiveMaxSize));
        Assert.True(Validator.Validate(null, new DSPexPoolOptions { MinSize = 2, MaxSize = 2 }).Succeeded);
    }

    [Fact]
    public void A_named_pool_may_have_no_minimum_and_the_default_pool_may_not()
    {
        Assert.True(Validator.Validate("burst", new DSPexPoolOptions { MinSize = 0, MaxSize = 2 }).Succeeded);
        Assert.True(Validator.Validate("burst", new DSPexPoolOptions { Size = 2, MinSize = 0 }).Succeeded);

        var negative = Validator.Validate("burst", new DSPexPoolOptions { MinSize = -1, MaxSize = 2 });
        Assert.True(negative.Failed);
        Assert.Contains("MinSize must not be negative", negative.FailureMessage);
        var noCeiling = Validator.Validate("burst", new DSPexPoolOptions { MinSize = 0, MaxSize = 0 });
        Assert.True(noCeiling.Failed);
        Assert.Contains("MaxSize must be at least 1", noCeiling.FailureMessage);
        var defaultPool = Validator.Validate(null, new DSPexPoolOptions { MinSize = 0, MaxSize = 2 });
        Assert.True(defaultPool.Failed);
        Assert.Contains("must be at least 1 for the default pool", defaultPool.FailureMessage);
    }
}

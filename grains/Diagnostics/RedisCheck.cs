using StackExchange.Redis;

namespace DSPex.Orleans.Diagnostics;

/// <summary>
/// Redis answers a PING with the configured credentials. Reports endpoints only: the connection string may carry a
/// password, and neither it nor Redis' own message text (which can echo the configuration) is printed.
/// </summary>
internal sealed class RedisCheck(string? connectionString, string setting = RedisCheck.SiloSetting) : IDiagnosticCheck
{
    public const string SiloSetting = "DSPex:Silo:RedisConnectionString";

    public string Name => "redis";

    public async Task<CheckResult> RunAsync(CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(connectionString))
        {
            return CheckResult.Skip(Name, "not configured (embedded localhost clustering, in-memory storage)");
        }

        ConfigurationOptions options;
        try
        {
            options = ConfigurationOptions.Parse(connectionString);
        }
        catch (ArgumentException)
        {
            return new CheckResult(Name, CheckStatus.Fail, "is not a StackExchange.Redis connection string", setting);
        }

        var where = string.Join(", ", options.EndPoints);
        options.AbortOnConnectFail = true;
        options.ConnectTimeout = 5000;
        options.ConnectRetry = 1;
        try
        {
            await using var redis = await ConnectionMultiplexer.ConnectAsync(options).WaitAsync(cancellationToken).ConfigureAwait(false);
            var latency = await redis.GetDatabase().PingAsync().ConfigureAwait(false);
            return CheckResult.Pass(Name, $"Redis at {where} answers (ping {latency.TotalMilliseconds:0.#} ms{(options.Password is null ? "" : ", authenticated")})");
        }
        catch (RedisConnectionException e) when (e.FailureType == ConnectionFailureType.AuthenticationFailure || IsAuthFailure(e))
        {
            return new CheckResult(Name, CheckStatus.Fail, $"Redis at '{where}' refused the credentials (authentication failed)", setting);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            return new CheckResult(Name, CheckStatus.Fail, $"Redis at '{where}' is unreachable ({e.GetType().Name}, {Kind(e)})", setting);
        }
    }

    private static bool IsAuthFailure(Exception e) =>
        e.ToString() is var text && (text.Contains("NOAUTH", StringComparison.Ordinal) || text.Contains("WRONGPASS", StringComparison.Ordinal)
            || text.Contains("AuthenticationFailure", StringComparison.Ordinal));

    private static string Kind(Exception e) => e is RedisConnectionException connection ? connection.FailureType.ToString() : "timed out";
}

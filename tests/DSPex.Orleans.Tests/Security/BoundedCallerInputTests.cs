using System.Diagnostics;
using System.Text.Json;
using DSPex.Orleans.Client.Errors;
using DSPex.Orleans.Contracts;
using DSPex.Orleans.Grains;
using DSPex.Orleans.Security;
using DSPex.Orleans.Tests.Infrastructure;
using DSPex.Orleans.Tools;
using Microsoft.Extensions.DependencyInjection;

namespace DSPex.Orleans.Tests.Security;

/// <summary>
/// What a connected caller sends is bounded wherever the silo shows it (issue 20, item 6): names hundreds of
/// thousands of characters long, with newlines and U+202E, come back and reach the silo log bounded and escaped; a
/// client-tool list past its bounds is refused before it runs; API keys are bounded before hashing and read by one
/// whitespace rule; refused keys do not flood the log, and a connection sending many is refused; a scoped key's
/// UnknownCommand (an execute answer or a stream's item) lists only what it may run.
/// </summary>
[Trait("Category", "Process")]
[Collection(TestSuite.SideBySide.BoundedCallerInput)]
public sealed class BoundedCallerInputTests(BoundedCallerInputFixture fixture) : IClassFixture<BoundedCallerInputFixture>
{
    // 300 000 characters with a line break and a right-to-left override near the start.
    private static readonly string HostileName = "evil\nFAKE LOG LINE\u202Eeman" + new string('x', 300_000);

    private const int Bound = 2_000;

    [Fact]
    public async Task AForbiddenHugeCommandNameComesBackAndIsLoggedBoundedAndEscaped()
    {
        var (host, _) = await fixture.ConnectAsync(fixture.ScopedKey);
        using (host)
        {
            // The client library refuses such a name itself; a raw Orleans call with the same key does not.
            var router = host.Services.GetRequiredService<IGrainFactory>().GetGrain<IRouterGrain>(0);
            var refused = await Assert.ThrowsAsync<ForbiddenException>(() => router.ExecuteAsync(new ExecuteRequest(HostileName, "{}")).AsTask());
            AssertShownSafely(refused.Message);
            AssertShownSafely(refused.Scope!);
            Assert.Contains("evil\\nFAKE LOG LINE\\u202Eeman", refused.Message);
            await Eventually.HoldsAsync(() => fixture.LogLines.Any(l => l.Contains("outside scope 'command:evil", StringComparison.Ordinal)), "the refusal is logged");
            AssertLogBounded();
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task AForbiddenHugeToolNameFromPythonComesBackAndIsLoggedBoundedAndEscaped()
    {
        var (host, client) = await fixture.ConnectAsync(fixture.ScopedKey, o =>
            o.AddTool<JsonElement, string>("weather", "Weather", (_, _) => Task.FromResult("sunny")));
        using (host)
        {
            var args = JsonSerializer.Serialize(new { tool = HostileName, args = new { } });
            using var caught = JsonDocument.Parse(await client.ExecuteRawAsync("tool_call_catching", args));
            var error = caught.RootElement.GetProperty("error");
            Assert.Equal("Forbidden", error.GetProperty("kind").GetString());
            AssertShownSafely(error.GetProperty("message").GetString()!);
            await Eventually.HoldsAsync(() => fixture.LogLines.Any(l => l.Contains("Refused tool 'evil", StringComparison.Ordinal)), "the refusal is logged");
            AssertLogBounded();
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task AClientToolListPastItsBoundsIsRefusedBeforeAnythingRuns()
    {
        var (host, client) = await fixture.ConnectAsync(fixture.FullKey);
        using (host)
        {
            var grains = host.Services.GetRequiredService<IGrainFactory>();
            var observer = grains.CreateObjectReference<IDSPexToolHost>(new SilentToolHost());
            var router = grains.GetGrain<IRouterGrain>(0);
            var servedBefore = await ServedAsync(client);

            // What the issue measured: 60 tools named by 200 000 characters each (a 112 MB /metrics on main).
            var huge = new ClientTools(observer, [.. Enumerable.Range(0, 60).Select(i => new ToolDescription($"{i}{new string('t', 200_000)}", "d", "{}"))]);
            var tooLong = await router.ExecuteAsync(new ExecuteRequest("echo", "{}", Tools: huge));
            Assert.Equal(DSPexErrorKind.InvalidArguments, tooLong.Error?.Kind);
            Assert.Contains("tools[0]", tooLong.Error!.Message);
            AssertShownSafely(tooLong.Error.Message);

            var badCharacters = new ClientTools(observer, [new ToolDescription("line\nbreak", "d", "{}")]);
            Assert.Equal(DSPexErrorKind.InvalidArguments, (await router.ExecuteAsync(new ExecuteRequest("echo", "{}", Tools: badCharacters))).Error?.Kind);

            var tooMany = new ClientTools(observer, [.. Enumerable.Range(0, RequestLimits.MaxClientTools + 1).Select(i => new ToolDescription($"t{i}", "d", "{}"))]);
            var many = await router.ExecuteAsync(new ExecuteRequest("echo", "{}", Tools: tooMany));
            Assert.Equal(DSPexErrorKind.InvalidArguments, many.Error?.Kind);
            Assert.Contains($"past the limit of {RequestLimits.MaxClientTools}", many.Error!.Message);

            // Refused before a worker ran them; a list within the bounds still runs.
            Assert.Equal(servedBefore, await ServedAsync(client));
            var fine = new ClientTools(observer, [.. Enumerable.Range(0, RequestLimits.MaxClientTools).Select(i => new ToolDescription($"t{i}", "d", "{}"))]);
            Assert.Null((await router.ExecuteAsync(new ExecuteRequest("echo", "{}", Tools: fine))).Error);
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task AMegabyteKeyIsRefusedUnhashedAndSaysWhy()
    {
        var (host, client) = await fixture.ConnectAsync(new string('k', 1024 * 1024));
        using (host)
        {
            var refused = await Assert.ThrowsAsync<UnauthenticatedException>(() => client.ExecuteRawAsync("echo", "{}"));
            Assert.Contains($"past the limit of {ApiKeyAuthenticator.MaxKeyLength}", refused.Message);
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task AKeyWithSurroundingWhitespaceIsTheKeyAtTheGatewayAsOverHttp()
    {
        // A key read from a file or a Secret often ends in a newline; the HTTP bearer check always trimmed it.
        var (host, client) = await fixture.ConnectAsync($" {fixture.FullKey}\n");
        using (host)
        {
            Assert.Contains("pong", await client.ExecuteRawAsync("ping"));
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task WrongKeysInABurstAreLoggedAtMostOncePerInterval()
    {
        var (host, client) = await fixture.ConnectAsync(ApiKeys.New());
        using (host)
        {
            const int attempts = 500;
            int Logged() => fixture.LogLines.Count(l => l.Contains("from a client: ", StringComparison.Ordinal) && l.Contains("API key", StringComparison.Ordinal));
            var before = Logged();
            var watch = Stopwatch.StartNew();
            for (var i = 0; i < attempts; i++)
            {
                await Assert.ThrowsAsync<UnauthenticatedException>(() => client.ExecuteRawAsync("echo", "{}"));
            }

            var elapsed = watch.Elapsed;
            // The silo's first refusal is always logged (this test's, or an earlier one's within the interval).
            await Eventually.HoldsAsync(() => Logged() > 0, "a refusal is logged");
            // One line per interval at most (plus one for an interval already open): not one per refusal.
            var allowed = 2 + (int)(elapsed / RefusalLogThrottle.Interval);
            Assert.True(Logged() - before <= allowed, $"{Logged() - before} log lines for {attempts} refusals in {elapsed}; at most {allowed} expected");
            Assert.True(allowed < attempts, "the burst took too long to show anything");
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task AScopedKeysUnknownCommandListsOnlyCommandsWithinItsScopes()
    {
        var (host, client) = await fixture.ConnectAsync(fixture.ScopedKey);
        using (host)
        {
            // "ecx_missing" is within "command:ec*", so the call runs and the worker answers UnknownCommand.
            var unknown = await Assert.ThrowsAsync<UnknownCommandException>(() => client.ExecuteRawAsync("ecx_missing", "{}"));
            Assert.Contains("echo", unknown.Message);
            Assert.Contains("tool_call", unknown.Message);
            Assert.DoesNotContain("ping", unknown.Message);
            Assert.DoesNotContain("worker_info", unknown.Message);
            Assert.DoesNotContain("list_commands", unknown.Message);

            var (full, fullClient) = await fixture.ConnectAsync(fixture.FullKey);
            using (full)
            {
                // A key that may run every command still sees what the worker has.
                Assert.Contains("ping", (await Assert.ThrowsAsync<UnknownCommandException>(() => fullClient.ExecuteRawAsync("ecx_missing", "{}"))).Message);
                await full.StopAsync();
            }

            await host.StopAsync();
        }
    }

    [Fact]
    public async Task AScopedKeysUnknownCommandForAStreamListsOnlyCommandsWithinItsScopes()
    {
        // Issue 20: the scoped listing covered execute answers only; a stream's UnknownCommand item listed every command.
        var (host, client) = await fixture.ConnectAsync(fixture.ScopedKey);
        using (host)
        {
            var unknown = await Assert.ThrowsAsync<UnknownCommandException>(async () =>
            {
                await foreach (var _ in client.StreamRawAsync("ecx_missing", "{}"))
                {
                }
            });
            Assert.Contains("echo", unknown.Message);
            Assert.DoesNotContain("ping", unknown.Message);
            Assert.DoesNotContain("worker_info", unknown.Message);
            Assert.DoesNotContain("list_commands", unknown.Message);

            var (full, fullClient) = await fixture.ConnectAsync(fixture.FullKey);
            using (full)
            {
                var fullUnknown = await Assert.ThrowsAsync<UnknownCommandException>(async () =>
                {
                    await foreach (var _ in fullClient.StreamRawAsync("ecx_missing", "{}"))
                    {
                    }
                });
                Assert.Contains("ping", fullUnknown.Message);
                // A stream's worker lease goes back when Orleans disposes it on the silo, a moment after the client
                // stopped reading: the next test of this class counts what the pool served.
                await Eventually.HoldsAsync(() => fullClient.GetClusterStatsAsync(),
                    stats => stats.Pools.Sum(p => p.WorkerDetails.Sum(w => w.InFlight)) == 0, "both streams' worker leases returned");
                await full.StopAsync();
            }

            await host.StopAsync();
        }
    }

    [Fact]
    public async Task AConnectionSendingManyWrongKeysIsRefusedWithoutAffectingOthers()
    {
        // Issue 20: 5 000 wrong keys from one connection were each hashed and answered; now, past
        // DSPex:Security:AuthFailureLimit (default 20) within the window, that connection is refused outright.
        var (guesser, guessing) = await fixture.ConnectAsync(ApiKeys.New());
        using (guesser)
        {
            for (var i = 0; i < 20; i++)
            {
                var wrong = await Assert.ThrowsAsync<UnauthenticatedException>(() => guessing.ExecuteRawAsync("echo", "{}"));
                Assert.DoesNotContain("refused for another", wrong.Message);
            }

            var refused = await Assert.ThrowsAsync<UnauthenticatedException>(() => guessing.ExecuteRawAsync("echo", "{}"));
            Assert.Contains("this connection presented 20 wrong API keys", refused.Message);
            Assert.Contains("refused for another", refused.Message);

            // Another connection with a wrong key is told about its key, not refused; one with the right key is served.
            var (other, otherClient) = await fixture.ConnectAsync(ApiKeys.New());
            using (other)
            {
                var wrong = await Assert.ThrowsAsync<UnauthenticatedException>(() => otherClient.ExecuteRawAsync("echo", "{}"));
                Assert.DoesNotContain("refused for another", wrong.Message);
                await other.StopAsync();
            }

            var (good, goodClient) = await fixture.ConnectAsync(fixture.FullKey);
            using (good)
            {
                Assert.Contains("pong", await goodClient.ExecuteRawAsync("ping"));
                await good.StopAsync();
            }

            Assert.Contains("refused for another", (await Assert.ThrowsAsync<UnauthenticatedException>(() => guessing.ExecuteRawAsync("echo", "{}"))).Message);
            await guesser.StopAsync();
        }
    }

    private static void AssertShownSafely(string text)
    {
        Assert.True(text.Length < Bound, $"{text.Length} characters");
        Assert.DoesNotContain('\n', text);
        Assert.DoesNotContain('\u202E', text);
    }

    private void AssertLogBounded()
    {
        var lines = fixture.LogLines;
        Assert.DoesNotContain(lines, l => l.Length > 10_000);
        Assert.DoesNotContain(lines, l => l.Contains('\u202E'));
        Assert.DoesNotContain(lines, l => l.StartsWith("FAKE LOG LINE", StringComparison.Ordinal));
    }

    private static async Task<long> ServedAsync(DSPex.Orleans.Client.DSPexClient client) => (await client.GetClusterStatsAsync()).Pools.Sum(p => p.Served);

    private sealed class SilentToolHost : IDSPexToolHost
    {
        public Task<ToolOutcome> CallToolAsync(ToolCall call, CancellationToken cancellationToken) => Task.FromResult(ToolOutcome.Success("null"));

        public Task PingAsync() => Task.CompletedTask;
    }
}

using System.Text.Json;
using DSPex.Orleans.Contracts;
using DSPex.Orleans.Grains;
using DSPex.Orleans.Sessions.Storage;
using DSPex.Orleans.Tests.Infrastructure;
using DSPex.Orleans.Workers.Native;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace DSPex.Orleans.Tests.EndToEnd;

/// <summary>
/// A session call whose answer is lost with its silo runs once. Three real silo processes on Redis. The call goes
/// through a gateway silo G to the session's silo S and blocks in Python until the test releases it. The test
/// freezes G (SIGSTOP), releases Python, waits until S has stored the call's outcome with the session in Redis
/// (the answer is then on its way to the frozen G), SIGKILLs S and drops the client's connection to G, so the answer
/// never reaches it. The call is sent again with the same call id through the third silo, as the client library
/// does: the session, now active on a survivor, answers from its record. The program's run counter (a file) shows one run, and the answer is
/// the first run's.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class AtMostOnceFailoverTests(RedisServer redis, ITestOutputHelper output) : IClassFixture<RedisServer>
{
    [Fact]
    public async Task A_call_sent_again_after_its_session_silo_died_with_the_answer_is_answered_from_the_record_not_run_twice()
    {
        using var state = new TemporaryDirectory();
        var clusterId = $"amo-{Guid.NewGuid():N}";
        // S starts alone and the session is created on it (its grain activates on the only silo); G and C join after.
        var s = RealSiloProcess.Start(RealSiloSettings.WithRedis(state.Path, clusterId, redis.ConnectionString));
        var silos = new List<RealSiloProcess> { s };
        try
        {
            await s.Warm;
            var sessionId = $"amo-{Guid.NewGuid():N}";
            var (sessionHost, sessionClient) = await s.ConnectAsync();
            using (sessionHost)
            {
                await sessionClient.Session(sessionId).SetVariableAsync("seen", 1);
                await sessionHost.StopAsync();
            }

            var g = RealSiloProcess.Start(RealSiloSettings.WithRedis(state.Path, clusterId, redis.ConnectionString));
            silos.Add(g);
            var c = RealSiloProcess.Start(RealSiloSettings.WithRedis(state.Path, clusterId, redis.ConnectionString));
            silos.Add(c);
            await Task.WhenAll(g.Warm, c.Warm);

            var runs = Path.Combine(state.Path, "runs.txt");
            var release = Path.Combine(state.Path, "release");
            var args = JsonSerializer.Serialize(new { path = runs, release });
            var callId = Guid.NewGuid();
            var request = new ExecuteRequest("count_run", args, TimeSpan.FromMinutes(5), CallId: callId);

            var (gatewayHost, _) = await g.ConnectAsync();
            var throughGateway = gatewayHost.Services.GetRequiredService<IClusterClient>().GetGrain<IRouterGrain>(0)
                .ExecuteInSessionAsync(sessionId, request, new SessionOptions());
            await Eventually.HoldsAsync(() => File.Exists(runs) && File.ReadAllLines(runs).Length == 1, "the command is running in Python");

            NativeSignals.SendToProcess(g.Pid, NativeSignals.SIGSTOP);
            await File.WriteAllTextAsync(release, "go");
            await using (var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString))
            {
                var key = SessionStorageKeys.For("dspex", sessionId);
                await Eventually.HoldsAsync(() => StoredAsync(connection.GetDatabase(), key),
                    stored => stored.Contains(callId.ToString(), StringComparison.Ordinal) && stored.Contains("\"done\":true", StringComparison.Ordinal),
                    "the call's outcome is stored with the session");
            }

            // The answer is on its way to the frozen G. The client gives the call up (as the client library does when
            // its gateway is lost) and S dies with the session. G then runs again: with C it has the votes to declare S
            // dead (a lone survivor of three could not), and the answer it now receives has no caller left.
            s.Kill();
            await s.ExitAsync();
            Assert.False(throughGateway.IsCompleted, "the first answer reached nobody");
            await gatewayHost.StopAsync().WaitAsync(TestBounds.Exit);
            gatewayHost.Dispose();
            NativeSignals.SendToProcess(g.Pid, NativeSignals.SIGCONT);

            // Sent again with the same call id through the survivor, until the cluster has declared S dead (before that
            // the call is refused as not run, or lost as may-have-run: both are what the client sends again).
            var (survivorHost, _) = await c.ConnectAsync();
            using var survivorHostScope = survivorHost;
            var router = survivorHost.Services.GetRequiredService<IClusterClient>().GetGrain<IRouterGrain>(0);
            var repeated = await Eventually.HoldsAsync(
                () => RepeatAsync(router, sessionId, request),
                response => response is not null && response.Error is not { Kind: DSPexErrorKind.SiloUnavailable, Recorded: false },
                "the repeat is answered by the session on the survivor");

            output.WriteLine($"repeat answered: {repeated!.ResultJson ?? repeated.Error?.Message}");
            Assert.Null(repeated.Error);
            var lines = File.ReadAllLines(runs);
            Assert.Single(lines);
            using var result = JsonDocument.Parse(repeated.ResultJson!);
            Assert.Equal(lines[0], result.RootElement.GetProperty("token").GetString());
            Assert.Equal(1, result.RootElement.GetProperty("runs").GetInt32());

            // The session's variables survived too.
            var (_, survivorClient) = (survivorHost, survivorHost.Services.GetRequiredService<Client.DSPexClient>());
            Assert.Equal(1, await survivorClient.Session(sessionId).GetVariableAsync<int>("seen"));
        }
        finally
        {
            foreach (var silo in silos)
            {
                await silo.DisposeAsync();
            }
        }
    }

    private static async Task<ExecuteResponse?> RepeatAsync(IRouterGrain router, string sessionId, ExecuteRequest request)
    {
        try
        {
            return await router.ExecuteInSessionAsync(sessionId, request, new SessionOptions()).WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (Exception e) when (SiloLoss.Classify(e) is not null)
        {
            return null;
        }
    }

    private static async Task<string> StoredAsync(IDatabase database, RedisKey key) =>
        await database.KeyTypeAsync(key) == RedisType.Hash
            ? string.Join('\n', (await database.HashGetAllAsync(key)).Select(entry => entry.Value.ToString()))
            : (await database.StringGetAsync(key)).ToString();
}

using DSPex.Orleans.Client.Errors;
using DSPex.Orleans.Grains;
using DSPex.Orleans.Security;
using DSPex.Orleans.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace DSPex.Orleans.Tests.Security;

/// <summary>
/// Session ids are namespaced per credential (issue 20, item 7): one id used by two credentials is two sessions, so
/// a credential can neither claim another's id first nor learn whether it exists; a namespaced session of another
/// credential answers "not found" whether or not it exists, and cannot be created. Without API keys the grain key is
/// the id itself, as in the previous release (what a rolling upgrade relies on).
/// </summary>
[Trait("Category", "Process")]
[Collection(TestSuite.SideBySide.SessionNamespace)]
public sealed class SessionNamespaceTests(BoundedCallerInputFixture fixture) : IClassFixture<BoundedCallerInputFixture>
{
    [Fact]
    public async Task OneIdUsedByTwoCredentialsIsTwoSessions()
    {
        var (a, aClient) = await fixture.ConnectAsync(fixture.FullKey);
        var (b, bClient) = await fixture.ConnectAsync(fixture.OtherKey);
        using (a)
        using (b)
        {
            var id = $"shared-{Guid.NewGuid():N}";
            var mine = aClient.Session(id);
            Assert.Equal(id, (await mine.CreateAsync()).SessionId);
            await mine.SetVariableAsync("secret", "a's");

            // B meets the id as if nobody had it: it creates its own session under it (on main: SessionNotFound).
            var theirs = bClient.Session(id);
            Assert.Null(await theirs.GetInfoAsync());
            Assert.Equal("{}", await theirs.GetVariablesJsonAsync());
            Assert.Equal(id, (await theirs.CreateAsync()).SessionId);
            await theirs.SetVariableAsync("secret", "b's");
            Assert.Contains("in b", await theirs.ExecuteRawAsync("echo", "{\"v\":\"in b\"}"));

            // Each sees its own; B's use changed nothing of A's.
            Assert.Equal("a's", await mine.GetVariableAsync<string>("secret"));
            Assert.Equal("b's", await theirs.GetVariableAsync<string>("secret"));
            await theirs.DeleteAsync();
            Assert.Equal("a's", await mine.GetVariableAsync<string>("secret"));

            // A fresh id behaves for B exactly as A's id did: nothing tells B which ids A uses.
            var fresh = bClient.Session($"fresh-{Guid.NewGuid():N}");
            Assert.Null(await fresh.GetInfoAsync());
            await fresh.CreateAsync();
            await fresh.DeleteAsync();
            await Task.WhenAll(a.StopAsync(), b.StopAsync());
        }
    }

    [Fact]
    public async Task AnotherCredentialsNamespaceIsNotFoundWhetherOrNotTheSessionExists()
    {
        var (a, aClient) = await fixture.ConnectAsync(fixture.FullKey);
        var (b, _) = await fixture.ConnectAsync(fixture.OtherKey);
        using (a)
        using (b)
        {
            var existing = $"exists-{Guid.NewGuid():N}";
            await aClient.Session(existing).SetVariableAsync("secret", "a's");
            var missing = $"missing-{Guid.NewGuid():N}";

            // B addresses A's namespace directly (a raw Orleans call with B's key, the grain key computed from A's key).
            var aNamespace = SessionKeys.NamespaceOfKey(fixture.FullKey);
            var grains = b.Services.GetRequiredService<IGrainFactory>();
            foreach (var id in new[] { existing, missing })
            {
                var foreign = grains.GetGrain<ISessionGrain>(SessionKeys.GrainKey(id, aNamespace));
                Assert.Null(await foreign.GetAsync());
                Assert.Equal("{}", await foreign.GetVariablesAsync());
                Assert.False(await foreign.TouchAsync());
                var refused = await Assert.ThrowsAsync<SessionNotFoundException>(() => foreign.CreateAsync(new()));
                Assert.Equal($"session '{id}' not found", refused.Message);
                await Assert.ThrowsAsync<SessionNotFoundException>(() => foreign.SetVariableAsync("secret", "\"b's\"", new()));
            }

            // Nothing was created or changed there.
            Assert.Null(await aClient.Session(missing).GetInfoAsync());
            Assert.Equal("a's", await aClient.Session(existing).GetVariableAsync<string>("secret"));
            await Task.WhenAll(a.StopAsync(), b.StopAsync());
        }
    }

    [Fact]
    public async Task A_stream_in_another_credentials_session_is_refused_as_its_calls_are()
    {
        var (a, aClient) = await fixture.ConnectAsync(fixture.FullKey);
        var (b, bClient) = await fixture.ConnectAsync(fixture.OtherKey);
        using (a)
        using (b)
        {
            var id = $"stream-{Guid.NewGuid():N}";
            var mine = aClient.Session(id);
            await mine.SetVariableAsync("greeting", "a's");
            var own = await ReadAllAsync(mine.StreamAsync<System.Text.Json.JsonElement>("session_items", new { count = 2 }));
            Assert.Equal(["a's", "a's"], own.Select(i => i.GetProperty("value").GetString()));

            // B's stream under the same id runs in B's own session: none of A's variables.
            var theirs = Assert.Single(await ReadAllAsync(bClient.Session(id).StreamAsync<System.Text.Json.JsonElement>("session_items", new { count = 1 })));
            Assert.Equal(System.Text.Json.JsonValueKind.Null, theirs.GetProperty("value").ValueKind);

            // B addresses A's session directly (raw Orleans calls with B's key): the stream is refused with the answer its execute gets.
            var aGrainKey = SessionKeys.GrainKey(id, SessionKeys.NamespaceOfKey(fixture.FullKey));
            var grains = b.Services.GetRequiredService<IGrainFactory>();
            var foreign = grains.GetGrain<ISessionGrain>(aGrainKey);
            var execute = await Assert.ThrowsAsync<SessionNotFoundException>(() => foreign.ExecuteAsync(new Contracts.ExecuteRequest("session_items", "{}"), new()));
            var start = await Assert.ThrowsAsync<SessionNotFoundException>(() => foreign.StartStreamAsync(new Contracts.ExecuteRequest("session_items", "{}"), new()));
            Assert.Equal($"session '{id}' not found", start.Message);
            Assert.Equal(execute.Message, start.Message);

            var routed = new List<Contracts.StreamItem>();
            await foreach (var item in grains.GetGrain<IRouterGrain>(0).StreamInSessionAsync(aGrainKey, new Contracts.ExecuteRequest("session_items", "{}"), new()))
            {
                routed.Add(item);
            }

            var refused = Assert.Single(routed);
            Assert.Equal(Contracts.DSPexErrorKind.SessionNotFound, refused.Error?.Kind);
            Assert.Equal($"session '{id}' not found", refused.Error?.Message);

            // A's session is as it was: its variable, and one stream counted (B's attempts counted nothing there).
            var info = await mine.GetInfoAsync();
            Assert.Equal("a's", await mine.GetVariableAsync<string>("greeting"));
            Assert.Equal(1L, info!.Counters["streams"]);
            await Task.WhenAll(a.StopAsync(), b.StopAsync());
        }
    }

    private static async Task<List<T>> ReadAllAsync<T>(IAsyncEnumerable<T> items)
    {
        var read = new List<T>();
        await foreach (var item in items)
        {
            read.Add(item);
        }

        return read;
    }
}

/// <summary>Without API keys (the embedded default) a session's grain key is its id, unchanged from the previous release.</summary>
[Trait("Category", "Process")]
public sealed class AnonymousSessionKeyTests
{
    [Fact]
    public async Task WithoutKeysTheGrainKeyIsTheSessionIdItself()
    {
        using var state = new TemporaryDirectory();
        await using var silo = RealSiloProcess.Start(RealSiloSettings.Fresh(state.Path) with { PoolSize = 1 });
        await silo.Warm;
        var (host, client) = await silo.ConnectAsync();
        using (host)
        {
            var id = $"bare-{Guid.NewGuid():N}";
            await client.Session(id).SetVariableAsync("v", 42);
            var grain = host.Services.GetRequiredService<IGrainFactory>().GetGrain<ISessionGrain>(id);
            Assert.Equal(id, (await grain.GetAsync())!.SessionId);
            Assert.Contains("42", await grain.GetVariablesAsync());
            Assert.Equal(id, SessionKeys.GrainKey(id, null));
            await host.StopAsync();
        }
    }
}

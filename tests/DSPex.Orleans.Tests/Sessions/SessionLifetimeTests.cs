using DSPex.Orleans.Contracts;
using DSPex.Orleans.Grains;
using DSPex.Orleans.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace DSPex.Orleans.Tests.Sessions;

/// <summary>
/// Idle sessions cost storage, not memory: no timer holds them, Orleans collects them like any idle grain, and
/// they come back from storage when called. Expiry is lazy, on the session clock the tests move by hand.
/// </summary>
[Trait("Category", "Cluster")]
[Collection(SmallLimitsCollection.Name)]
public sealed class SessionLifetimeTests(SmallLimitsClusterFixture fixture)
{
    private IManagementGrain Management => fixture.Cluster.Client.GetGrain<IManagementGrain>(0);

    [Fact]
    public async Task Two_thousand_idle_sessions_leave_no_activations_and_answer_from_storage_when_called_again()
    {
        var ids = Enumerable.Range(0, 2000).Select(i => $"idle-{i}-{Guid.NewGuid():N}").ToArray();
        await ForEachAsync(ids, id => fixture.Client.Session(id).SetVariableAsync("n", id));
        Assert.True(await SessionActivationsAsync() >= ids.Length);

        await Management.ForceActivationCollection(TimeSpan.Zero);
        await Eventually.HoldsAsync(SessionActivationsAsync, count => count == 0, "every idle session grain was collected");

        await ForEachAsync(ids, async id => Assert.Equal(id, await fixture.Client.Session(id).GetVariableAsync<string>("n")));
    }

    [Fact]
    public async Task A_session_past_its_ttl_is_gone_when_next_called_without_any_timer()
    {
        var session = fixture.Client.Session($"ttl-{Guid.NewGuid():N}", new SessionOptions(Ttl: TimeSpan.FromMinutes(10)));
        await session.SetVariableAsync("k", "v");

        fixture.Clock.Advance(TimeSpan.FromMinutes(6));
        Assert.True(await session.TouchAsync());
        fixture.Clock.Advance(TimeSpan.FromMinutes(6));
        Assert.Equal("v", await session.GetVariableAsync<string>("k"));

        fixture.Clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Null(await session.GetInfoAsync());
        Assert.Equal("{}", await session.GetVariablesJsonAsync());
        Assert.False(await session.TouchAsync());

        // A later call starts a new, empty session under the same id.
        await session.ExecuteRawAsync("pid");
        Assert.Empty((await session.GetInfoAsync())!.VariableNames);
    }

    [Fact]
    public async Task A_collected_session_that_expired_in_storage_is_cleared_when_activated_again()
    {
        var session = fixture.Client.Session($"stored-ttl-{Guid.NewGuid():N}", new SessionOptions(Ttl: TimeSpan.FromMinutes(10)));
        await session.SetVariableAsync("k", "v");
        await Management.ForceActivationCollection(TimeSpan.Zero);
        await Eventually.HoldsAsync(SessionActivationsAsync, count => count == 0, "the idle session grain was collected");

        fixture.Clock.Advance(TimeSpan.FromMinutes(11));
        Assert.Null(await session.GetInfoAsync());
        Assert.Equal("{}", await session.GetVariablesJsonAsync());
    }

    [Fact]
    public async Task An_idle_session_in_memory_storage_leaves_a_reminder_that_clears_it_once_expired()
    {
        var live = fixture.Client.Session($"reminder-live-{Guid.NewGuid():N}", new SessionOptions(Ttl: TimeSpan.FromMinutes(30)));
        var expired = fixture.Client.Session($"reminder-expired-{Guid.NewGuid():N}", new SessionOptions(Ttl: TimeSpan.FromMinutes(1)));
        await expired.SetVariableAsync("k", 1);
        fixture.Clock.Advance(TimeSpan.FromMinutes(2));
        await live.SetVariableAsync("k", 1);

        await Management.ForceActivationCollection(TimeSpan.Zero);

        // The live session waits in storage with a reminder; the expired one's reminder is due at once, clears
        // the session and removes itself.
        await Eventually.HoldsAsync(() => RemindersOfAsync(live.SessionId), count => count == 1, "the idle live session left its reminder");
        await Eventually.HoldsAsync(() => RemindersOfAsync(expired.SessionId), count => count == 0, "the expired session's reminder ran and removed itself",
            TimeSpan.FromMinutes(3));
        Assert.Null(await expired.GetInfoAsync());
        Assert.NotNull(await live.GetInfoAsync());
    }

    private async Task<int> SessionActivationsAsync()
    {
        var stats = await Management.GetSimpleGrainStatistics();
        return stats.Where(s => s.GrainType.Contains("SessionGrain", StringComparison.Ordinal)).Sum(s => s.ActivationCount);
    }

    private async Task<int> RemindersOfAsync(string sessionId)
    {
        var grainId = fixture.Cluster.Client.GetGrain<ISessionGrain>(sessionId).GetGrainId();
        var table = ((InProcessSiloHandle)fixture.Cluster.Primary!).SiloHost.Services.GetRequiredService<IReminderTable>();
        return (await table.ReadRows(grainId)).Reminders.Count;
    }

    // Bounded concurrency: fast, without flooding a 2-core machine.
    private static Task ForEachAsync(IEnumerable<string> ids, Func<string, Task> call) =>
        Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (id, _) => await call(id));
}

using DSPex.Orleans.Client;
using DSPex.Orleans.Client.Errors;
using DSPex.Orleans.Contracts;
using DSPex.Orleans.Placement;

namespace DSPex.Orleans.Tests.NamedPools;

/// <summary>
/// A session that names no pool runs in the pool of the command it is created for (a named pool's command does not
/// pin it to the default pool, where that command is unknown); a later call to another pool's command gets
/// UnknownCommand with the pool that registers it and how to reach it.
/// </summary>
[Trait("Category", "Cluster")]
[Collection(NamedPoolsCollection.Name)]
public sealed class SessionPoolChoiceTests(NamedPoolsFixture fixture)
{
    [Fact]
    public async Task A_session_created_by_a_named_pools_command_runs_in_that_pool()
    {
        var session = fixture.Client.Session($"choice-{Guid.NewGuid():N}");
        try
        {
            var where = await session.ExecuteResponseAsync("alt_where");
            Assert.True(where.Error is null, where.Error?.Message);
            Assert.Equal("alt", SiloKeys.ParsePool(where.WorkerId!));
            Assert.Equal("alt", (await session.GetInfoAsync())!.Pool);
            // Later calls stay in the session's pool: a built-in command runs there too.
            var echo = await session.ExecuteResponseAsync("echo", "{\"a\":1}");
            Assert.Equal("alt", SiloKeys.ParsePool(echo.WorkerId!));
        }
        finally
        {
            await session.DeleteAsync();
        }
    }

    [Fact]
    public async Task A_call_to_another_pools_command_in_a_session_names_that_pool()
    {
        var session = fixture.Client.Session($"choice-{Guid.NewGuid():N}");
        try
        {
            Assert.Equal("\"pong\"", await session.ExecuteRawAsync("ping"));
            Assert.Equal(PoolNames.Default, (await session.GetInfoAsync())!.Pool);

            var error = await Assert.ThrowsAsync<UnknownCommandException>(() => session.ExecuteRawAsync("alt_where"));
            Assert.Contains("registered by pool alt", error.Message, StringComparison.Ordinal);
            Assert.Contains("runs in pool default", error.Message, StringComparison.Ordinal);
            Assert.Contains("--pool alt", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            await session.DeleteAsync();
        }
    }
}

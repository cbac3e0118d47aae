using DSPex.Orleans.Configuration;
using DSPex.Orleans.Tests.Infrastructure;
using DSPex.Orleans.Tests.Tools;
using DSPex.Orleans.Tools;
using DSPex.Orleans.Tools.Brokering;
using DSPex.Orleans.Workers.Bridge;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace DSPex.Orleans.UnitTests.Tools;

/// <summary>
/// A request's tool session frees its token source once the request has ended and no tool call runs. Tool calls racing
/// the end (one waiting on the token, one quick, one arriving late) each get a result or the typed Cancelled answer,
/// never a ToolFailed from a disposed source.
/// </summary>
[Trait("Category", "Unit")]
public sealed class ToolSessionEndTests
{
    private const int Rounds = 100;

    // A hang guard only.
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    private static ToolBroker Broker()
    {
        var services = new ServiceCollection();
        services.AddSingleton(new SiloToolRegistration(_ => DSPexTool.Create<AddArgs, int>("silo_add", "adds", (a, _) => Task.FromResult(a.A + a.B))));
        services.AddSingleton(new SiloToolRegistration(_ => DSPexTool.Create<AddArgs, int>("silo_wait", "waits for the request's end",
            async (_, token) =>
            {
                await Task.Delay(Timeout.Infinite, token);
                return 0;
            })));
        return new ToolBroker(services.BuildServiceProvider(), Options.Create(new DSPexToolOptions()), NullLogger<ToolBroker>.Instance);
    }

    [Fact]
    public async Task Tool_calls_racing_the_end_get_a_result_or_Cancelled_and_the_source_is_freed_after_the_last()
    {
        var broker = Broker();
        for (var round = 0; round < Rounds; round++)
        {
            var session = new ToolSession(broker, null, null, "cmd", default);
            using var start = new Barrier(4);
            Task<ToolAnswer> Racing(string tool) => Task.Run(() =>
            {
                start.SignalAndWait(Wait);
                return session.CallAsync(tool, """{"a":1,"b":2}""", null);
            });

            var waiting = Racing("silo_wait");
            var quick = Racing("silo_add");
            var another = Racing("silo_add");
            start.SignalAndWait(Wait);
            session.End(ToolFaultKinds.Cancelled);
            var late = await session.CallAsync("silo_add", """{"a":1,"b":2}""", null).WaitAsync(Wait);

            foreach (var answer in await Task.WhenAll(waiting, quick, another).WaitAsync(Wait))
            {
                Assert.True(answer.Error is null ? answer.ResultJson == "3" : answer.Error.Kind == ToolFaultKinds.Cancelled,
                    $"round {round}: a tool call racing the end was answered {answer.Error?.Kind ?? answer.ResultJson} ({answer.Error?.Type}: {answer.Error?.Message})");
            }

            Assert.Equal(ToolFaultKinds.Cancelled, late.Error?.Kind);
            await Eventually.HoldsAsync(() => session.IsFreed, $"round {round}: the session's token source is freed after its last tool call", Wait);
        }
    }

    [Fact]
    public async Task A_running_tool_call_holds_the_source_until_it_returns_and_the_first_end_names_the_kind()
    {
        var session = new ToolSession(Broker(), null, null, "cmd", default);
        var waiting = session.CallAsync("silo_wait", """{"a":1,"b":2}""", null);

        session.End(ToolFaultKinds.DeadlineExceeded);
        session.Dispose();
        var answer = await waiting.WaitAsync(Wait);

        Assert.Equal(ToolFaultKinds.DeadlineExceeded, answer.Error?.Kind); // the deadline ended it, not a caller
        await Eventually.HoldsAsync(() => session.IsFreed, "the source is freed once the waiting tool call returned", Wait);
        Assert.Equal(ToolFaultKinds.DeadlineExceeded, (await session.CallAsync("silo_add", "{}", null)).Error?.Kind);
    }
}

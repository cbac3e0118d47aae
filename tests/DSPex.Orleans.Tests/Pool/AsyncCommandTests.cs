using System.Diagnostics;
using System.Text.Json;
using DSPex.Orleans.Client;
using DSPex.Orleans.Client.Errors;
using DSPex.Orleans.Contracts;
using DSPex.Orleans.Grains;
using DSPex.Orleans.Tests.Infrastructure;
using Orleans.TestingHost;

namespace DSPex.Orleans.Tests.Pool;

/// <summary>One silo, one worker with room for many requests at once, Orleans' activity propagation on, fast heartbeats.</summary>
public sealed class AsyncCommandCluster : IAsyncLifetime
{
    public const int Concurrency = 32;

    public static readonly TimeSpan HeartbeatTimeout = TimeSpan.FromSeconds(6);

    public TestCluster Cluster { get; private set; } = null!;

    public DSPexClient Client { get; private set; } = null!;

    public IPoolGrain Pool { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Cluster = await TestClusters.StartAsync(1, new Dictionary<string, string>
        {
            ["Size"] = "1",
            ["ConcurrencyPerWorker"] = Concurrency.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["MaxQueueLength"] = "1000",
            ["QueueTimeout"] = "00:02:00",
            ["HeartbeatInterval"] = "00:00:00.100",
            // Not shorter: every test here shares the one worker, and a heartbeat answer held up past the timeout on a
            // loaded machine kills it mid-test. Only the two heartbeat tests below wait on it (spin past it, hang past it).
            ["HeartbeatTimeout"] = HeartbeatTimeout.ToString("c", System.Globalization.CultureInfo.InvariantCulture),
            ["CancelGracePeriod"] = "00:00:10",
        },
        configure: builder =>
        {
            builder.AddSiloBuilderConfigurator<ActivityPropagationConfigurator>();
            builder.AddClientBuilderConfigurator<ActivityPropagationConfigurator>();
        });
        Client = new DSPexClient(Cluster.Client);
        Pool = Cluster.PrimaryPool();
    }

    public async Task DisposeAsync() => await Cluster.StopAndDisposeAsync();

    public Task<PoolStats> IdleAsync(string what) =>
        Eventually.HoldsAsync(Pool.GetStatsAsync, s => s.Workers == s.Size && s.Busy == 0 && s.Queued == 0, what);

    /// <summary>What the test adapter's async_wait recorded under a name ("started", "cancelled", "finished").</summary>
    public async Task<string?> ObservedAsync(string name) =>
        (await Client.ExecuteAsync("async_observed", new { name })).Deserialize<string?>();
}

/// <summary>
/// Async commands (async def and async generators) on the worker's one event loop: many at once without a thread
/// each, ConcurrencyPerWorker bounding what is in flight, cancellation and deadlines reaching the task as
/// CancelledError, streams under credit, session variables and the caller's trace context inside them.
/// </summary>
[Trait("Category", "Cluster")]
public sealed class AsyncCommandTests(AsyncCommandCluster fixture) : IClassFixture<AsyncCommandCluster>
{
    private DSPexClient Client => fixture.Client;

    [Fact]
    public async Task Many_async_calls_wait_at_once_on_one_worker_without_a_thread_each_and_concurrency_bounds_them()
    {
        const int calls = AsyncCommandCluster.Concurrency + 8;
        var before = await fixture.IdleAsync("pool idle before");
        var pid = before.WorkerDetails[0].Pid;
        var gate = Path.Combine(Path.GetTempPath(), $"dspex-async-gate-{Guid.NewGuid():N}");
        try
        {
            var running = Enumerable.Range(0, calls)
                .Select(_ => Client.ExecuteAsync<int>("async_wait_for_file", new { path = gate })).ToArray();
            // Busy counts workers; the queue holds what found no capacity: ConcurrencyPerWorker calls are on the worker.
            await Eventually.HoldsAsync(fixture.Pool.GetStatsAsync,
                s => s.Busy == 1 && s.Queued == calls - AsyncCommandCluster.Concurrency,
                "the worker full (ConcurrencyPerWorker in flight) and the rest queued");

            // The Python process: main, parent watchdog, the event loop, and the serving threads that sync calls and
            // hand-offs needed; a thread per in-flight request would be 33 or more.
            var threads = ThreadCount(pid);
            Assert.True(threads < 16, $"{threads} threads in the worker with {AsyncCommandCluster.Concurrency} async calls in flight");

            await File.WriteAllTextAsync(gate, "open");
            var pids = await Task.WhenAll(running);
            Assert.All(pids, p => Assert.Equal(pid, p));
            var after = await fixture.IdleAsync("every call answered and the worker free");
            Assert.Equal(before.Served + calls, after.Served);
            Assert.Equal(before.Restarts, after.Restarts);
        }
        finally
        {
            File.Delete(gate);
        }
    }

    [Fact]
    public async Task A_cancelled_async_call_gets_cancelled_error_in_python_and_frees_the_worker()
    {
        var before = await fixture.IdleAsync("pool idle before");
        var name = $"cancel-{Guid.NewGuid():N}";
        using var cancel = new CancellationTokenSource();
        var call = Client.ExecuteRawAsync("async_wait", JsonSerializer.Serialize(new { name, seconds = 600 }), cancellationToken: cancel.Token);
        await Eventually.HoldsAsync(() => fixture.ObservedAsync(name), o => o == "started", "the async command started");

        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        await Eventually.HoldsAsync(() => fixture.ObservedAsync(name), o => o == "cancelled", "CancelledError reached the task");
        var after = await fixture.IdleAsync("the worker freed by the task's answer");
        Assert.Equal(before.WorkerDetails[0].Pid, after.WorkerDetails[0].Pid); // stopped, not killed
    }

    [Fact]
    public async Task An_async_call_past_its_deadline_fails_typed_and_the_deadline_cancels_its_task()
    {
        var before = await fixture.IdleAsync("pool idle before");
        var name = $"deadline-{Guid.NewGuid():N}";
        var error = await Assert.ThrowsAsync<DeadlineExceededException>(() => Client.ExecuteRawAsync("async_wait",
            JsonSerializer.Serialize(new { name, seconds = 600 }), new ExecuteOptions { Timeout = TimeSpan.FromMilliseconds(500) }));
        Assert.Contains("500 ms", error.Message);
        await Eventually.HoldsAsync(() => fixture.ObservedAsync(name), o => o == "cancelled", "the deadline became task.cancel()");
        var after = await fixture.IdleAsync("the worker freed");
        Assert.Equal(before.WorkerDetails[0].Pid, after.WorkerDetails[0].Pid);
    }

    [Fact]
    public async Task An_async_call_that_finishes_answers_with_its_result_and_request()
    {
        var name = $"finish-{Guid.NewGuid():N}";
        var result = await Client.ExecuteAsync("async_wait", new { name, seconds = 0.01 });
        Assert.False(result.GetProperty("cancelled").GetBoolean());
        Assert.Equal(JsonValueKind.Number, result.GetProperty("request").ValueKind);
        Assert.Equal("finished", await fixture.ObservedAsync(name));
    }

    public sealed record Number(int I);

    [Fact]
    public async Task The_example_async_commands_answer_and_stream()
    {
        var slept = await Client.ExecuteAsync("async_sleep", new { ms = 5 });
        Assert.Equal(5, slept.GetProperty("slept_ms").GetInt32());
        var items = new List<int>();
        await foreach (var item in Client.StreamAsync<Number>("async_count", new { count = 3, ms = 1 }))
        {
            items.Add(item.I);
        }

        Assert.Equal([0, 1, 2], items);
    }

    [Fact]
    public async Task An_async_generator_streams_every_item_and_stopping_early_frees_the_worker()
    {
        var items = new List<int>();
        await foreach (var item in Client.StreamAsync<Number>("async_numbers", new { count = 300 }))
        {
            items.Add(item.I);
        }

        Assert.Equal(Enumerable.Range(0, 300), items);

        var before = await fixture.IdleAsync("idle after the full stream");
        var name = $"stream-{Guid.NewGuid():N}";
        var read = 0;
        await using (var stream = Client.StreamAsync<Number>("async_numbers", new { count = 1_000_000, name, pause = 0.001 }).GetAsyncEnumerator())
        {
            while (read < 3 && await stream.MoveNextAsync())
            {
                read++;
            }
        }

        // The silo cancels a stream its caller left; the generator, awaiting credit or sleeping, gets CancelledError
        // and the worker is answered and freed, not killed.
        var after = await fixture.IdleAsync("the abandoned stream's worker freed");
        Assert.Equal(before.WorkerDetails[0].Pid, after.WorkerDetails[0].Pid);
        var produced = await Client.ExecuteAsync<int>("produced", new { name });
        Assert.InRange(produced, 3, 1_000_000 - 1);
    }

    [Fact]
    public async Task Session_variables_set_by_an_async_command_and_its_tasks_are_stored_in_the_session()
    {
        var session = Client.Session($"async-{Guid.NewGuid():N}");
        await session.CreateAsync();
        var first = await session.ExecuteAsync<JsonElement>("async_remember", new { name = "color", value = "red" });
        Assert.Equal(JsonValueKind.Null, first.GetProperty("previous").ValueKind);
        Assert.Equal(session.SessionId, first.GetProperty("session").GetString());

        var second = await session.ExecuteAsync<JsonElement>("async_remember", new { name = "color", value = "blue" });
        Assert.Equal("red", second.GetProperty("previous").GetString());
        Assert.Equal("blue", await session.GetVariableAsync<string>("color"));
    }

    [Fact]
    public async Task A_call_made_under_an_activity_reaches_python_with_the_callers_trace_id()
    {
        // What a user's OpenTelemetry set-up does: listen to Orleans' activity sources, so Orleans propagates them.
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name.StartsWith("Microsoft.Orleans", StringComparison.Ordinal),
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);

        using var caller = new Activity("caller").SetIdFormat(ActivityIdFormat.W3C).Start();
        caller.TraceStateString = "vendor=value";
        var traceId = caller.TraceId.ToHexString();
        foreach (var command in new[] { "async_trace", "trace" })
        {
            var trace = await Client.ExecuteAsync(command);
            var traceParent = trace.GetProperty("traceparent").GetString()!;
            Assert.Matches("^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$", traceParent);
            Assert.Equal(traceId, traceParent.Split('-')[1]);
            Assert.NotEqual(caller.SpanId.ToHexString(), traceParent.Split('-')[2]); // a span of the silo under the caller's
            Assert.Equal("vendor=value", trace.GetProperty("tracestate").GetString());
        }
    }

    [Fact]
    public async Task Trace_context_a_caller_forged_badly_is_dropped_and_the_call_served()
    {
        // Any caller may send trace context (it only names a trace); the silo passes version-00 traceparent and a
        // bounded printable tracestate, and drops anything else.
        RequestContext.Set("traceparent", "00-garbage-" + new string('x', 10_000));
        RequestContext.Set("tracestate", new string('s', 100_000));
        try
        {
            var trace = await Client.ExecuteAsync("async_trace");
            if (trace.ValueKind != JsonValueKind.Null)
            {
                // Something in this process listens to Orleans' activities: its own span's context replaced the header.
                Assert.Matches("^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$", trace.GetProperty("traceparent").GetString());
                Assert.DoesNotContain("sss", trace.GetRawText(), StringComparison.Ordinal);
            }
        }
        finally
        {
            RequestContext.Clear();
        }
    }

    [Fact]
    public async Task An_async_command_that_never_awaits_holds_the_loop_but_heartbeats_still_answer()
    {
        // It spins past the heartbeat timeout without an await: the event loop is held, but the GIL passes to
        // the reading thread, which answers heartbeats, so it is not taken for a hang (a command holding the GIL in C
        // code is, sync or async: HeartbeatTests).
        var before = await fixture.IdleAsync("pool idle before");
        var spin = JsonSerializer.Serialize(new { seconds = (AsyncCommandCluster.HeartbeatTimeout + TimeSpan.FromSeconds(1)).TotalSeconds });
        var response = await fixture.Pool.ExecuteAsync(new ExecuteRequest("async_spin", spin));
        Assert.True(response.IsSuccess, response.Error?.Message);
        var after = await fixture.IdleAsync("pool idle after");
        Assert.Equal(before.HungWorkersKilled, after.HungWorkersKilled);
        Assert.Equal(before.WorkerDetails[0].Pid, after.WorkerDetails[0].Pid);
    }

    [Fact]
    public async Task An_async_command_stuck_in_c_code_holding_the_gil_is_detected_as_a_hang_like_a_sync_one()
    {
        var before = await fixture.IdleAsync("pool idle before");
        var stuck = await fixture.Pool.ExecuteAsync(new ExecuteRequest("async_hold_gil_in_c", "{}", TimeSpan.FromMinutes(5)));
        Assert.Equal(DSPexErrorKind.WorkerCrashed, stuck.Error?.Kind);
        Assert.Contains("unresponsive", stuck.Error!.Message);
        var after = await fixture.IdleAsync("the hung worker replaced");
        Assert.Equal(before.HungWorkersKilled + 1, after.HungWorkersKilled);
        Assert.NotEqual(before.WorkerDetails[0].Pid, after.WorkerDetails[0].Pid);
    }

    private static int ThreadCount(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("Threads:", StringComparison.Ordinal));
        return int.Parse(line["Threads:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }
}

using System.Reflection;
using DSPex.Orleans.Client;
using DSPex.Orleans.Client.Errors;
using DSPex.Orleans.Contracts;

namespace DSPex.Orleans.Tests.Robustness;

/// <summary>
/// Every public method of <see cref="DSPexClient"/> and <see cref="DSPexSession"/> refuses null, empty and
/// out-of-range arguments with a typed <see cref="DSPexException"/> naming the parameter, and the cluster serves on.
/// </summary>
[Trait("Category", "Cluster")]
[Collection(RobustnessCollection.Name)]
public sealed class ClientArgumentTests(RobustnessClusterFixture fixture)
{
    private sealed class Cycle
    {
        public Cycle? Next { get; set; }
    }

    private static readonly ExecuteOptions Negative = new() { Timeout = TimeSpan.FromSeconds(-1) };
    private static readonly ExecuteOptions Zero = new() { Timeout = TimeSpan.Zero };
    private static readonly ExecuteOptions Huge = new() { Timeout = TimeSpan.MaxValue };
    private static readonly string LongName = new('n', RequestLimits.MaxCommandLength + 1);
    private static readonly string TooDeep = new string('[', RequestLimits.MaxJsonDepth + 1) + new string(']', RequestLimits.MaxJsonDepth + 1);

    /// <summary>(method, case, call): each call must throw a DSPexException whose message names <paramref name="Names"/>.</summary>
    private sealed record Case(string Method, string What, string Names, Func<Task> Call);

    private IEnumerable<Case> Cases()
    {
        var client = fixture.Client;
        var session = client.Session($"args-{Guid.NewGuid():N}");
        var cycle = new Cycle();
        cycle.Next = cycle;

        foreach (var (what, command) in new[] { ("null", (string)null!), ("empty", ""), ("too long", LongName), ("bad characters", "ping me") })
        {
            yield return new("ExecuteRawAsync", $"command {what}", "command", () => client.ExecuteRawAsync(command));
            yield return new("ExecuteResponseAsync", $"command {what}", "command", () => client.ExecuteResponseAsync(command).AsTask());
            yield return new("ExecuteAsync", $"command {what}", "command", () => client.ExecuteAsync<string>(command));
            yield return new("ExecuteAsync", $"command {what} (JsonElement)", "command", () => client.ExecuteAsync(command));
            yield return new("StreamRawAsync", $"command {what}", "command", () => Drain(client.StreamRawAsync(command)));
            yield return new("ExecuteDataAsync", $"command {what}", "command", () => client.ExecuteDataAsync(command));
            yield return new("StreamAsync", $"command {what}", "command", () => Drain(client.StreamAsync<int>(command)));
            yield return new("UploadAsync", $"command {what}", "command", () => client.UploadAsync(command, new MemoryStream([1, 2, 3])));
            yield return new("UploadAsync", $"command {what} (chunks)", "command", () => client.UploadAsync(command, Chunks()));
            yield return new("ExecuteDataAsync", $"session command {what}", "command", () => session.ExecuteDataAsync(command));
            yield return new("DownloadAsync", $"command {what}", "command", () => client.DownloadAsync(command));
            yield return new("DownloadChunksAsync", $"command {what}", "command", () => Drain(client.DownloadChunksAsync(command)));
            yield return new("StreamDataAsync", $"command {what}", "command", () => Drain(client.StreamDataAsync(command)));
            yield return new("StreamDataAsync", $"session command {what}", "command", () => Drain(session.StreamDataAsync(command)));
            yield return new("DownloadAsync", $"session command {what}", "command", () => session.DownloadAsync(command));
            yield return new("DownloadChunksAsync", $"session command {what}", "command", () => Drain(session.DownloadChunksAsync(command)));
            yield return new("UploadAsync", $"session command {what}", "command", () => session.UploadAsync(command, new MemoryStream([1, 2, 3])));
            yield return new("UploadAsync", $"session command {what} (chunks)", "command", () => session.UploadAsync(command, Chunks()));
            yield return new("ExecuteRawAsync", $"session command {what}", "command", () => session.ExecuteRawAsync(command));
            yield return new("StreamRawAsync", $"session command {what}", "command", () => Drain(session.StreamRawAsync(command)));
            yield return new("ExecuteResponseAsync", $"session command {what}", "command", () => session.ExecuteResponseAsync(command));
            yield return new("ExecuteAsync", $"session command {what}", "command", () => session.ExecuteAsync<string>(command));
            yield return new("CreateProgramAsync", $"programId {what}", "programId", () => session.CreateProgramAsync(command, new { type = "template", template = "x" }));
            yield return new("ExecuteProgramRawAsync", $"programId {what}", "programId", () => session.ExecuteProgramRawAsync(command));
            yield return new("ExecuteProgramResponseAsync", $"programId {what}", "programId", () => session.ExecuteProgramResponseAsync(command));
            yield return new("ExecuteProgramAsync", $"programId {what}", "programId", () => session.ExecuteProgramAsync<string>(command));
            yield return new("DeleteProgramAsync", $"programId {what}", "programId", () => session.DeleteProgramAsync(command));
        }

        foreach (var (what, args) in new[] { ("null", (string)null!), ("empty", ""), ("not JSON", "{\"a\":"), ("two values", "1 2"), ("too deep", TooDeep), ("lone surrogate", "\"\ud800\"") })
        {
            yield return new("ExecuteRawAsync", $"args {what}", "argsJson", () => client.ExecuteRawAsync("echo", args));
            yield return new("ExecuteResponseAsync", $"args {what}", "argsJson", () => client.ExecuteResponseAsync("echo", args).AsTask());
            yield return new("StreamRawAsync", $"args {what}", "argsJson", () => Drain(client.StreamRawAsync("numbers", args)));
            yield return new("ExecuteRawAsync", $"session args {what}", "argsJson", () => session.ExecuteRawAsync("echo", args));
            yield return new("StreamRawAsync", $"session args {what}", "argsJson", () => Drain(session.StreamRawAsync("numbers", args)));
            yield return new("ExecuteResponseAsync", $"session args {what}", "argsJson", () => session.ExecuteResponseAsync("echo", args));
            yield return new("ExecuteProgramRawAsync", $"args {what}", "argsJson", () => session.ExecuteProgramRawAsync("greet", args));
            yield return new("ExecuteProgramResponseAsync", $"args {what}", "argsJson", () => session.ExecuteProgramResponseAsync("greet", args));
        }

        yield return new("ExecuteAsync", "args not serialisable", "args", () => client.ExecuteAsync<string>("echo", cycle));
        yield return new("ExecuteAsync", "args not serialisable (JsonElement)", "args", () => client.ExecuteAsync("echo", cycle));
        yield return new("StreamAsync", "args not serialisable", "args", () => Drain(client.StreamAsync<int>("numbers", cycle)));
        yield return new("ExecuteDataAsync", "args not serialisable", "args", () => client.ExecuteDataAsync("echo", cycle));
        yield return new("UploadAsync", "args not serialisable", "args", () => client.UploadAsync("upload_digest", new MemoryStream([1]), cycle));
        yield return new("DownloadAsync", "args not serialisable", "args", () => client.DownloadAsync("numbers", cycle));
        yield return new("DownloadChunksAsync", "args not serialisable", "args", () => Drain(client.DownloadChunksAsync("numbers", cycle)));
        yield return new("UploadAsync", "data null", "data", () => client.UploadAsync("upload_digest", (Stream)null!));
        yield return new("StreamDataAsync", "args not serialisable", "args", () => Drain(client.StreamDataAsync("numbers", cycle)));
        yield return new("StreamDataAsync", "session args not serialisable", "args", () => Drain(session.StreamDataAsync("numbers", cycle)));
        yield return new("DownloadAsync", "session args not serialisable", "args", () => session.DownloadAsync("numbers", cycle));
        yield return new("DownloadChunksAsync", "session args not serialisable", "args", () => Drain(session.DownloadChunksAsync("numbers", cycle)));
        yield return new("UploadAsync", "session args not serialisable", "args", () => session.UploadAsync("upload_digest", new MemoryStream([1]), cycle));
        yield return new("UploadAsync", "session data null", "data", () => session.UploadAsync("upload_digest", (Stream)null!));
        yield return new("UploadAsync", "session chunks null", "chunks", () => session.UploadAsync("upload_digest", (IAsyncEnumerable<ReadOnlyMemory<byte>>)null!));
        yield return new("UploadAsync", "session declaredLength negative", "declaredLength", () => session.UploadAsync("upload_digest", Chunks(), declaredLength: -1));
        yield return new("StreamDataAsync", "args' parts over the limit", "parts", () => Drain(client.StreamDataAsync("numbers",
            new DSPexData("{}", [new byte[RobustnessClusterFixture.MaxFrameBytes]]))));
        yield return new("UploadAsync", "chunks null", "chunks", () => client.UploadAsync("upload_digest", (IAsyncEnumerable<ReadOnlyMemory<byte>>)null!));
        yield return new("UploadAsync", "declaredLength negative", "declaredLength", () => client.UploadAsync("upload_digest", Chunks(), declaredLength: -1));
        yield return new("ExecuteDataAsync", "session args not serialisable", "args", () => session.ExecuteDataAsync("echo", cycle));
        yield return new("ExecuteDataAsync", "args' JSON not JSON", "argsJson", () => client.ExecuteDataAsync("echo", new DSPexData("{\"a\":")));
        yield return new("ExecuteAsync", "session args not serialisable", "args", () => session.ExecuteAsync<string>("echo", cycle));
        yield return new("ExecuteProgramAsync", "args not serialisable", "args", () => session.ExecuteProgramAsync<string>("greet", cycle));
        yield return new("ExecuteAsync", "result not of the type", "Int32", () => client.ExecuteAsync<int>("echo", new { a = 1 }));

        foreach (var (what, options) in new[] { ("negative", Negative), ("zero", Zero), ("huge", Huge) })
        {
            yield return new("ExecuteRawAsync", $"timeout {what}", "options.Timeout", () => client.ExecuteRawAsync("ping", "{}", options));
            yield return new("ExecuteResponseAsync", $"timeout {what}", "options.Timeout", () => client.ExecuteResponseAsync("ping", "{}", options).AsTask());
            yield return new("StreamRawAsync", $"timeout {what}", "options.Timeout", () => Drain(client.StreamRawAsync("numbers", "{}", options)));
            yield return new("ExecuteDataAsync", $"timeout {what}", "options.Timeout", () => client.ExecuteDataAsync("ping", null, options));
            yield return new("DownloadAsync", $"timeout {what}", "options.Timeout", () => client.DownloadAsync("numbers", null, options));
            yield return new("DownloadChunksAsync", $"timeout {what}", "options.Timeout", () => Drain(client.DownloadChunksAsync("numbers", null, options)));
            yield return new("StreamDataAsync", $"timeout {what}", "options.Timeout", () => Drain(client.StreamDataAsync("numbers", null, options)));
            yield return new("StreamDataAsync", $"session timeout {what}", "options.Timeout", () => Drain(session.StreamDataAsync("numbers", null, options)));
            yield return new("DownloadAsync", $"session timeout {what}", "options.Timeout", () => session.DownloadAsync("numbers", null, options));
            yield return new("DownloadChunksAsync", $"session timeout {what}", "options.Timeout", () => Drain(session.DownloadChunksAsync("numbers", null, options)));
            yield return new("UploadAsync", $"session timeout {what}", "options.Timeout", () => session.UploadAsync("upload_digest", new MemoryStream([1]), null, options));
            yield return new("UploadAsync", $"timeout {what}", "options.Timeout", () => client.UploadAsync("upload_digest", new MemoryStream([1]), null, options));
            yield return new("ExecuteDataAsync", $"session timeout {what}", "options.Timeout", () => session.ExecuteDataAsync("ping", null, options));
            yield return new("ExecuteRawAsync", $"session timeout {what}", "options.Timeout", () => session.ExecuteRawAsync("ping", "{}", options));
            yield return new("StreamRawAsync", $"session timeout {what}", "options.Timeout", () => Drain(session.StreamRawAsync("numbers", "{}", options)));
            yield return new("ExecuteProgramRawAsync", $"timeout {what}", "options.Timeout", () => session.ExecuteProgramRawAsync("greet", "{}", options));
        }

        foreach (var (what, id) in new[] { ("null", (string)null!), ("empty", ""), ("too long", new string('s', RequestLimits.MaxIdLength + 1)) })
        {
            yield return new("Session", $"sessionId {what}", "sessionId", () => Task.FromResult(client.Session(id)));
            yield return new("GetVariableAsync", $"name {what}", "name", () => session.GetVariableAsync<int>(id));
            yield return new("SetVariableAsync", $"name {what}", "name", () => session.SetVariableAsync(id, 1));
            yield return new("DeleteVariableAsync", $"name {what}", "name", () => session.DeleteVariableAsync(id));
        }

        yield return new("Session", "ttl negative", "options.Ttl", () => Task.FromResult(client.Session("s", new SessionOptions(TimeSpan.FromSeconds(-1)))));
        yield return new("CreateProgramAsync", "spec null", "spec", () => session.CreateProgramAsync("p", null!));
        yield return new("CreateProgramAsync", "spec not JSON", "spec", () => session.CreateProgramAsync("p", "{nope"));
        yield return new("CreateProgramAsync", "spec not serialisable", "spec", () => session.CreateProgramAsync("p", cycle));
        yield return new("SetVariableAsync", "value not serialisable", "value", () => session.SetVariableAsync("v", cycle));
        yield return new("SetVariableAsync", "value too large", "value", () => session.SetVariableAsync("v", new string('v', RobustnessClusterFixture.MaxFrameBytes)));
    }

    [Fact]
    public async Task Every_public_method_refuses_bad_arguments_with_a_typed_error_naming_them()
    {
        var failures = new List<string>();
        foreach (var c in Cases())
        {
            try
            {
                await c.Call();
                failures.Add($"{c.Method} ({c.What}): no error");
            }
            catch (DSPexException e) when (e.Message.Contains(c.Names, StringComparison.Ordinal))
            {
            }
            catch (Exception e)
            {
                failures.Add($"{c.Method} ({c.What}): {e.GetType().Name}: {e.Message}");
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));

        // The cluster serves on at full capacity.
        Assert.Equal("\"pong\"", await fixture.Client.ExecuteRawAsync("ping"));
        await fixture.FullCapacityAsync("refused arguments");
    }

    [Fact]
    public void Every_public_method_with_arguments_has_cases()
    {
        var covered = Cases().Select(c => c.Method).ToHashSet();
        var methods = new[] { typeof(DSPexClient), typeof(DSPexSession) }
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .Where(m => !m.IsSpecialName && m.GetParameters().Any(p => p.ParameterType != typeof(CancellationToken)))
            .Select(m => m.Name)
            .Distinct();
        Assert.All(methods, name => Assert.Contains(name, covered));
    }

    [Fact]
    public async Task Methods_without_arguments_answer_typed_or_succeed()
    {
        var session = fixture.Client.Session($"noargs-{Guid.NewGuid():N}");
        Assert.NotNull(await session.CreateAsync());
        Assert.NotNull(await session.GetInfoAsync());
        Assert.True(await session.TouchAsync());
        Assert.Empty(await session.ListProgramsAsync());
        Assert.Equal("{}", await session.GetVariablesJsonAsync());
        await session.DeleteAsync();
        Assert.NotEmpty((await fixture.Client.GetClusterStatsAsync()).Pools);
    }

    private static async Task Drain<T>(IAsyncEnumerable<T> items)
    {
        await foreach (var _ in items)
        {
        }
    }

    private static async IAsyncEnumerable<ReadOnlyMemory<byte>> Chunks()
    {
        await Task.Yield();
        yield return new byte[] { 1, 2, 3 };
    }
}

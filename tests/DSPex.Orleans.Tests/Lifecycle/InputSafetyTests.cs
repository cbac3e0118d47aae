using DSPex.Orleans.Contracts;
using DSPex.Orleans.Tests.Infrastructure;

namespace DSPex.Orleans.Tests.Lifecycle;

/// <summary>
/// Valid input that the silo and Python read differently, and text that is not Unicode, give the caller a typed error
/// for that one request: the silo stays up and the pool keeps the very same worker processes.
/// </summary>
[Trait("Category", "Cluster")]
[Collection(FaultCollection.Name)]
public sealed class InputSafetyTests(FaultCluster fault)
{
    private async Task<int[]> WorkerPidsAsync() =>
        [.. (await fault.AtSizeAsync()).WorkerDetails.Select(w => w.Pid).Order()];

    /// <summary>Runs the request and checks its error kind, then that the same workers serve on.</summary>
    private async Task<ExecuteError> FailsKeepingWorkersAsync(ExecuteRequest request, DSPexErrorKind kind)
    {
        var pids = await WorkerPidsAsync();
        var response = await fault.Pool.ExecuteAsync(request);
        Assert.False(response.IsSuccess, $"expected {kind}, got the result {response.ResultJson}");
        Assert.True(kind == response.Error!.Kind, $"expected {kind}, got {response.Error.Kind}: {response.Error.Message}");
        await AssertSameWorkersServeAsync(pids);
        return response.Error;
    }

    private async Task AssertSameWorkersServeAsync(int[] pids)
    {
        Assert.Equal(pids, await WorkerPidsAsync());
        var ping = await fault.Pool.ExecuteAsync(new ExecuteRequest("ping", "null"));
        Assert.True(ping.IsSuccess, ping.Error?.Message);
        Assert.Contains(ping.WorkerPid, pids);
    }

    [Fact]
    public async Task Args_nested_to_the_protocol_depth_echo_and_one_level_more_is_invalid_arguments()
    {
        var pids = await WorkerPidsAsync();
        var deepest = new string('[', 64) + new string(']', 64);
        var echoed = await fault.Pool.ExecuteAsync(new ExecuteRequest("echo", deepest));
        Assert.True(echoed.IsSuccess, echoed.Error?.Message);
        Assert.Equal(deepest, echoed.ResultJson);
        await AssertSameWorkersServeAsync(pids);

        var error = await FailsKeepingWorkersAsync(new ExecuteRequest("echo", "[" + deepest + "]"), DSPexErrorKind.InvalidArguments);
        Assert.Contains("within depth 64", error.Message);
    }

    [Theory]
    [InlineData(65)]
    [InlineData(5000)]
    public async Task A_result_nested_past_the_protocol_depth_is_result_not_serializable(int levels)
    {
        await FailsKeepingWorkersAsync(new ExecuteRequest("deep_result", $$"""{"levels":{{levels}}}"""), DSPexErrorKind.ResultNotSerializable);
    }

    [Fact]
    public async Task Null_args_are_invalid_arguments_and_leave_every_worker_free()
    {
        for (var i = 0; i < 3; i++) // more than the pool has workers: a leaked lease would show as a queue timeout
        {
            var error = await FailsKeepingWorkersAsync(new ExecuteRequest("echo", null!), DSPexErrorKind.InvalidArguments);
            Assert.Contains("args is null", error.Message);
        }
    }

    [Fact]
    public async Task Args_that_would_add_envelope_fields_are_invalid_arguments()
    {
        await FailsKeepingWorkersAsync(new ExecuteRequest("echo", """1,"cmd":"exit_now","id":1"""), DSPexErrorKind.InvalidArguments);
    }

    [Fact]
    public async Task An_integer_past_pythons_digit_limit_is_invalid_arguments_answered_by_python()
    {
        var error = await FailsKeepingWorkersAsync(new ExecuteRequest("echo", $$"""{"n":{{new string('7', 4301)}}}"""), DSPexErrorKind.InvalidArguments);
        Assert.Contains("4300", error.Message);
    }

    [Fact]
    public async Task An_escaped_lone_surrogate_in_args_is_invalid_arguments()
    {
        var error = await FailsKeepingWorkersAsync(new ExecuteRequest("echo", "\"\\ud800\""), DSPexErrorKind.InvalidArguments);
        Assert.Contains("lone UTF-16 surrogate", error.Message);
    }

    [Fact]
    public async Task A_lone_surrogate_in_a_result_is_result_not_serializable()
    {
        var error = await FailsKeepingWorkersAsync(new ExecuteRequest("lone_surrogate_result", "{}"), DSPexErrorKind.ResultNotSerializable);
        Assert.Contains("lone UTF-16 surrogate", error.Message);
    }

    [Fact]
    public async Task An_exception_whose_text_is_not_unicode_reaches_the_caller_as_a_python_exception()
    {
        var error = await FailsKeepingWorkersAsync(new ExecuteRequest("raise_lone_surrogate", "{}"), DSPexErrorKind.PythonException);
        Assert.Equal("AttributeError", error.PythonType);
        Assert.Contains(@"has no attribute '\ud800'", error.Message);
    }

    [Fact]
    public async Task A_huge_escape_heavy_exception_message_is_cut_to_fit_the_frame()
    {
        var error = await FailsKeepingWorkersAsync(new ExecuteRequest("huge_error", """{"chars":200000}"""), DSPexErrorKind.PythonException);
        Assert.Equal("ValueError", error.PythonType);
        Assert.Contains("characters cut", error.Message);
    }

    [Fact]
    public async Task A_huge_command_name_is_invalid_arguments_naming_the_limit_before_it_reaches_a_worker()
    {
        var escapeHeavy = new string('\u0001', 9000); // each written as \u0001: most of the frame limit
        var error = await FailsKeepingWorkersAsync(new ExecuteRequest(escapeHeavy, "null"), DSPexErrorKind.InvalidArguments);
        Assert.True(error.Message.Length < 10_000, $"the error repeats the whole name ({error.Message.Length} characters)");
        Assert.Contains("limit of 256", error.Message);

        var huge = await FailsKeepingWorkersAsync(new ExecuteRequest(new string('c', FaultCluster.MaxFrameBytes), "null"), DSPexErrorKind.InvalidArguments);
        Assert.True(huge.Message.Length < 10_000, $"the error repeats the whole name ({huge.Message.Length} characters)");
    }

    [Theory]
    [InlineData("""{"type":"template","template":"{a.__class__}"}""", "not a plain name")]
    [InlineData("""{"type":"template","template":"{a:300000000}"}""", "width of 300000000")]
    [InlineData("""{"type":"template","template":"{a.b}"}""", "not a plain name")]
    public async Task A_template_that_reaches_beyond_its_data_is_invalid_arguments(string spec, string problem)
    {
        var pids = await WorkerPidsAsync();
        var session = fault.Client.Session($"template-{Guid.NewGuid():N}");
        await session.CreateProgramAsync("t", spec);
        var response = await session.ExecuteProgramResponseAsync("t", """{"a":1}""");
        Assert.Equal(DSPexErrorKind.InvalidArguments, response.Error?.Kind);
        Assert.Contains(problem, response.Error!.Message);
        await AssertSameWorkersServeAsync(pids);
    }

    [Fact]
    public async Task A_template_fills_plain_fields()
    {
        var session = fault.Client.Session($"template-{Guid.NewGuid():N}");
        await session.CreateProgramAsync("t", """{"type":"template","template":"{name:>6}|{n:03d}"}""");
        var response = await session.ExecuteProgramResponseAsync("t", """{"name":"bob","n":7}""");
        Assert.True(response.IsSuccess, response.Error?.Message);
        Assert.Contains("\"text\":\"   bob|007\"", response.ResultJson);
    }
}

using System.Reflection;
using System.Text.Json;
using DSPex.Orleans.Contracts;
using DSPex.Orleans.Pool;
using DSPex.Orleans.Tools;
using DSPex.Orleans.Tools.Brokering;
using DSPex.Orleans.Workers.Bridge;

namespace DSPex.Orleans.UnitTests.Protocol;

/// <summary>
/// The worker core's call and tool failures (no Orleans types) against the contract's serialized ones, mapped at the
/// grains boundary: every core kind becomes the contract kind of the same name, with message, Python type and
/// traceback kept; every tool fault kind is the same string as the contract's and is listed in protocol.json; a tool's
/// outcome reaches the core with its JSON, parts or failure unchanged.
/// </summary>
[Trait("Category", "Unit")]
public sealed class CoreErrorMappingTests
{
    public static TheoryData<string> CoreKinds() => [.. Enum.GetNames<CallErrorKind>()];

    [Theory]
    [MemberData(nameof(CoreKinds))]
    public void Each_core_kind_maps_to_the_contract_kind_of_its_name(string name)
    {
        Assert.Equal(Enum.Parse<DSPexErrorKind>(name), Enum.Parse<CallErrorKind>(name).ToContract());
    }

    [Fact]
    public void A_core_error_keeps_its_message_python_type_and_traceback()
    {
        var error = new CallError(CallErrorKind.PythonException, "boom", "ValueError", "Traceback (most recent call last): ...").ToExecuteError();

        Assert.Equal(new ExecuteError(DSPexErrorKind.PythonException, "boom", "ValueError", "Traceback (most recent call last): ..."), error);
        Assert.Equal(CallOutcome.OutcomeUnknown, error.Outcome);
        Assert.False(error.Recorded);
    }

    [Fact]
    public void Two_core_errors_alike_are_not_equal_so_a_marker_answer_is_known_by_reference()
    {
        var marker = new CallError(CallErrorKind.DeadlineExceeded, "deadline");
        Assert.NotEqual(marker, new CallError(CallErrorKind.DeadlineExceeded, "deadline"));
        Assert.Equal(marker, marker);
    }

    public static TheoryData<string> FaultKindNames() =>
        [.. typeof(ToolFaultKinds).GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => f.Name)];

    [Theory]
    [MemberData(nameof(FaultKindNames))]
    public void Each_tool_fault_kind_is_the_contracts_string_and_in_protocol_json(string name)
    {
        var core = (string)typeof(ToolFaultKinds).GetField(name)!.GetValue(null)!;
        var contract = typeof(ToolErrorKinds).GetField(name, BindingFlags.Public | BindingFlags.Static);

        Assert.NotNull(contract);
        Assert.Equal((string)contract.GetValue(null)!, core);
        Assert.Equal(name, core);
        Assert.Contains(core, ProtocolToolErrorKinds());
    }

    [Fact]
    public void A_tools_result_reaches_the_core_with_its_json_and_parts()
    {
        ReadOnlyMemory<byte>[] parts = [new byte[] { 1, 2, 3 }];

        var answer = ToolOutcome.Success("{\"n\":1}", parts).ToAnswer();

        Assert.Null(answer.Error);
        Assert.Equal("{\"n\":1}", answer.ResultJson);
        Assert.Same(parts, answer.ResultParts);
    }

    [Fact]
    public void A_tools_failure_reaches_the_core_with_its_kind_type_and_message()
    {
        var answer = ToolOutcome.Fail(ToolErrorKinds.Forbidden, "UnauthorizedAccessException", "not yours").ToAnswer();

        Assert.Null(answer.ResultJson);
        Assert.Equal(new ToolFault(ToolErrorKinds.Forbidden, "UnauthorizedAccessException", "not yours"), answer.Error);
    }

    [Fact]
    public void The_cores_binary_part_bound_is_the_contracts()
    {
        Assert.Equal(RequestLimits.MaxBinaryParts, ProtocolLimits.MaxBinaryParts);
    }

    private static string[] ProtocolToolErrorKinds()
    {
        var file = Path.Combine(AppContext.BaseDirectory, "Python", "dspex", "protocol.json");
        using var definition = JsonDocument.Parse(File.ReadAllText(file));
        return [.. definition.RootElement.GetProperty("tool_error_kinds").EnumerateArray().Select(k => k.GetString()!)];
    }
}

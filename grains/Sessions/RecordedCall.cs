using System.Text.Json.Serialization;
using DSPex.Orleans.Contracts;

namespace DSPex.Orleans.Sessions;

/// <summary>
/// One recent call of a session, stored with the session (see <see cref="SessionState.RecentCalls"/>): begun before
/// its request is dispatched, completed with its answer before the answer is returned. A repeat of its call id is
/// answered from here instead of running again. The JSON names are the storage contract.
/// </summary>
internal sealed class RecordedCall
{
    [JsonPropertyName("id")]
    public Guid Id { get; set; }

    /// <summary>When the call began (its age bounds how long it is kept).</summary>
    [JsonPropertyName("at")]
    public DateTimeOffset At { get; set; }

    /// <summary>False while the call runs; a record still running after its activation was lost has an unknown outcome.</summary>
    [JsonPropertyName("done")]
    public bool Done { get; set; }

    [JsonPropertyName("result")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ResultJson { get; set; }

    [JsonPropertyName("error_kind")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DSPexErrorKind? ErrorKind { get; set; }

    [JsonPropertyName("error")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ErrorMessage { get; set; }

    [JsonPropertyName("python_type")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? PythonType { get; set; }

    [JsonPropertyName("traceback")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Traceback { get; set; }

    /// <summary>The answer was over the size kept for a repeat: the call ran, and a repeat says so instead of running it.</summary>
    [JsonPropertyName("result_dropped_bytes")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int ResultDroppedBytes { get; set; }

    [JsonPropertyName("worker")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? WorkerId { get; set; }

    [JsonPropertyName("pid")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int WorkerPid { get; set; }

    /// <summary>Bytes this record adds to the stored session, roughly (what the total bound counts).</summary>
    [JsonIgnore]
    public int Size => 96 + (ResultJson?.Length ?? 0) + (ErrorMessage?.Length ?? 0) + (Traceback?.Length ?? 0) + (WorkerId?.Length ?? 0);

    /// <summary>The answer to a repeat of this call.</summary>
    public ExecuteResponse Answer(string sessionId)
    {
        if (!Done)
        {
            return ExecuteResponse.Failure(ExecuteError.SiloLost(
                $"call {Id} of session '{sessionId}' was running when the silo holding the session was lost; it may have run, and is not run again",
                CallOutcome.OutcomeUnknown) with { Recorded = true });
        }

        if (ResultDroppedBytes > 0)
        {
            return ExecuteResponse.Failure(ExecuteError.SiloLost(
                $"call {Id} of session '{sessionId}' ran; its result ({ResultDroppedBytes} bytes) was not kept for a repeat (over the size kept, or with binary parts), and it is not run again",
                CallOutcome.OutcomeUnknown) with { Recorded = true }, WorkerId, WorkerPid);
        }

        return ErrorKind is { } kind
            ? ExecuteResponse.Failure(new ExecuteError(kind, ErrorMessage ?? "", PythonType, Traceback) { Recorded = true }, WorkerId, WorkerPid)
            : ExecuteResponse.Success(ResultJson ?? "null", WorkerId ?? "", WorkerPid);
    }
}

using System.Text.Json.Serialization;
using DSPex.Orleans.Contracts;

namespace DSPex.Orleans.Sessions;

/// <summary>
/// The outcomes of a session's recent calls, so a call runs at most once even when its answer is lost with a silo and
/// the client sends it again (same call id). Bounded by count, age and size (<see cref="RecentCallBounds"/>). Stored
/// as an optional field: a silo of the previous release ignores it, and this one reads its absence as no records.
/// </summary>
internal sealed partial class SessionState
{
    [JsonPropertyName("recent_calls")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<RecordedCall>? RecentCalls { get; set; }

    /// <summary>The record of call <paramref name="callId"/>, when it is among the recent calls.</summary>
    internal RecordedCall? FindCall(Guid callId) => RecentCalls?.Find(c => c.Id == callId);

    /// <summary>Records that a call begins; older records past the bounds are dropped first.</summary>
    internal void BeginCall(Guid callId, DateTimeOffset now)
    {
        RecentCalls ??= [];
        RecentCalls.Add(new RecordedCall { Id = callId, At = now });
        TrimRecentCalls(now);
        HasUnsavedChanges = true;
    }

    /// <summary>Drops the record of a call that was refused before it ran.</summary>
    internal void ForgetCall(Guid callId) => RecentCalls?.RemoveAll(c => c.Id == callId);

    /// <summary>Records a call's answer (its result only when under the size kept for a repeat).</summary>
    internal void CompleteCall(Guid callId, ExecuteResponse response, DateTimeOffset now)
    {
        if (FindCall(callId) is not { } call)
        {
            return;
        }

        call.Done = true;
        call.WorkerId = response.WorkerId;
        call.WorkerPid = response.WorkerPid;
        if (response.Error is { } error)
        {
            call.ErrorKind = error.Kind;
            call.ErrorMessage = error.Message;
            call.PythonType = error.PythonType;
            call.Traceback = error.Traceback is { Length: > RecentCallBounds.MaxTracebackChars } longTrace ? longTrace[^RecentCallBounds.MaxTracebackChars..] : error.Traceback;
        }
        else if (response.ResultJson is { Length: > RecentCallBounds.MaxResultChars } large)
        {
            call.ResultDroppedBytes = large.Length;
        }
        else if (response.ResultParts is { Length: > 0 } parts)
        {
            // Binary parts are not stored with the session (they are bounded by the frame limit, not the record's
            // size): the record says the call ran, so a repeat is told so instead of getting JSON whose parts are missing.
            call.ResultDroppedBytes = (int)Math.Min(int.MaxValue, (response.ResultJson?.Length ?? 0) + parts.Sum(p => (long)p.Length));
        }
        else
        {
            call.ResultJson = response.ResultJson;
        }

        TrimRecentCalls(now);
        HasUnsavedChanges = true;
    }

    /// <summary>Drops records over the bounds, oldest first; the call just begun or completed stays.</summary>
    private void TrimRecentCalls(DateTimeOffset now)
    {
        if (RecentCalls is null)
        {
            return;
        }

        RecentCalls.RemoveAll(c => now - c.At > RecentCallBounds.MaxAge);
        while (RecentCalls.Count > RecentCallBounds.MaxCount)
        {
            RecentCalls.RemoveAt(0);
        }

        var total = RecentCalls.Sum(c => c.Size);
        while (RecentCalls.Count > 1 && total > RecentCallBounds.MaxTotalChars)
        {
            total -= RecentCalls[0].Size;
            RecentCalls.RemoveAt(0);
        }
    }
}

/// <summary>
/// How much of a session's recent calls is kept. A client repeats a call within the call's own deadline, so the age
/// covers the longest deadline a caller is expected to use; the count and size keep the stored session small.
/// </summary>
internal static class RecentCallBounds
{
    public const int MaxCount = 64;
    public const int MaxResultChars = 64 * 1024;
    public const int MaxTracebackChars = 8 * 1024;
    public const int MaxTotalChars = 512 * 1024;
    public static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(15);
}

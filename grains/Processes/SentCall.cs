namespace DSPex.Orleans.Processes;

/// <summary>
/// A call handed to a worker. When <see cref="Sent"/>, it was written to the pipe and <see cref="Finished"/>
/// completes with Python's reply (or with WorkerCrashed when the process dies); <see cref="Id"/> is what
/// <see cref="BridgeConnection.Cancel"/> and <see cref="BridgeConnection.GrantCredit"/> take. Otherwise it never
/// reached the worker and <see cref="Finished"/> already holds why. <see cref="Finished"/> never faults.
/// </summary>
internal readonly record struct SentCall(Task<BridgeReply> Finished, long Id, bool Sent, long StartedAt)
{
    public static SentCall NotSent(BridgeReply why) =>
        new(Task.FromResult(why), 0, false, System.Diagnostics.Stopwatch.GetTimestamp());
}

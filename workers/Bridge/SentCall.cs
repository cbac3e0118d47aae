namespace DSPex.Orleans.Workers.Bridge;

/// <summary>
/// A call handed to a worker. When <see cref="Sent"/>, it was written to the pipe and <see cref="Finished"/>
/// completes with Python's reply (or with WorkerCrashed when the process dies); <see cref="Id"/> is what
/// <see cref="BridgeConnection.Cancel"/> and <see cref="BridgeConnection.GrantCredit"/> take. Otherwise it never
/// reached the worker and <see cref="Finished"/> already holds why. <see cref="Finished"/> never faults. A sent call's
/// <see cref="Pending"/> is its waiter (answered early by its deadline or a cancellation: see <see cref="PendingCall"/>).
/// </summary>
internal readonly record struct SentCall(Task<BridgeReply> Finished, long Id, bool Sent, long StartedAt, PendingCall? Pending = null)
{
    /// <summary>Completes once Python's reply (or the process exit) came, even when the caller was answered before it.</summary>
    public Task Replied => Pending?.Replied ?? Finished;

    public static SentCall NotSent(BridgeReply why) =>
        new(Task.FromResult(why), 0, false, System.Diagnostics.Stopwatch.GetTimestamp());
}

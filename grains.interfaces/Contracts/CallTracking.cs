namespace DSPex.Orleans.Contracts;

/// <summary>
/// Orleans' client does not fail calls in flight when the connection to their gateway drops: they wait for the
/// response timeout. So each client call carries an id, the gateway silo that takes it (its router) records
/// it while it runs (not after), and a client that loses a gateway asks the live silos which of its calls they
/// are running; a call none of them is running is failed at once instead.
/// </summary>
public static class CallTracking
{
    /// <summary>
    /// The Orleans response timeout of the execute methods. Deadlines belong to the request: the pool answers
    /// with QueueTimeout or DeadlineExceeded in time, and the client bounds each call by its own timeout. This
    /// only has to be longer than any deadline, so a long Python call is not cut at Orleans' default 30 s.
    /// </summary>
    public const string ExecuteResponseTimeout = "1.00:00:00";
}

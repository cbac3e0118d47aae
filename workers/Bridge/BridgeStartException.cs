namespace DSPex.Orleans.Workers.Bridge;

/// <summary>
/// A Python worker did not become ready, as the worker core says it: it could not be spawned, reported a fatal start,
/// closed before its handshake, sent none in time, or broke a start check (protocol version, process group). Internal:
/// the grains' worker starter (Pool.PythonWorkerStarter) wraps it, as its inner cause, in the public
/// DSPex.Orleans.Processes.WorkerStartException, which is shipped API and stays in the Hosting package.
/// </summary>
internal sealed class BridgeStartException(string message, Exception? inner = null) : Exception(message, inner);

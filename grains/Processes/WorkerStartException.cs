namespace DSPex.Orleans.Processes;

/// <summary>A Python worker did not become ready: it could not be spawned, failed its handshake, or broke a start check.</summary>
public sealed class WorkerStartException(string message, Exception? inner = null) : Exception(message, inner);

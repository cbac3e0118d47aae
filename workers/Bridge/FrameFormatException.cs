namespace DSPex.Orleans.Workers.Bridge;

/// <summary>A frame from the bridge that is not exactly the protocol: the stream it came on cannot be trusted.</summary>
internal sealed class FrameFormatException(string message, Exception? inner = null) : Exception(message, inner);

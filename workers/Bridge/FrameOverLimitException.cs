namespace DSPex.Orleans.Workers.Bridge;

internal sealed class FrameOverLimitException(long length, int limit)
    : Exception($"request frame of {length} bytes exceeds the limit of {limit} bytes");

namespace DSPex.Orleans.Processes;

internal sealed class FrameTooLargeException(long length, int limit)
    : Exception($"request frame of {length} bytes exceeds the limit of {limit} bytes");

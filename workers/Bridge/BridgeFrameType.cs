namespace DSPex.Orleans.Processes;

internal enum BridgeFrameType
{
    Unknown,
    Ready,
    Item,
    Fatal,
    Result,
    Error,
    Heartbeat,
    ProtocolError,
    ToolCall,
    ListTools,
    ChunkCredit,
}

namespace DSPex.Orleans.Workers.Bridge;

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

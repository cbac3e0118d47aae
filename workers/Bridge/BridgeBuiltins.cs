namespace DSPex.Orleans.Workers.Bridge;

/// <summary>
/// The commands the bridge registers itself in every worker (protocol.json "builtin_commands"): every pool serves
/// them, so routing by command leaves them out of a pool's offer and sends them to the default pool.
/// </summary>
internal static class BridgeBuiltins
{
    public static readonly IReadOnlySet<string> Commands = new HashSet<string>(StringComparer.Ordinal) { "echo", "list_commands", "ping", "worker_info" };
}

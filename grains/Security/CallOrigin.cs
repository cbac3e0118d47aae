namespace DSPex.Orleans.Security;

/// <summary>
/// Whether a call came from outside the cluster. Orleans stamps a message with the id of what sent it: a grain
/// activation or system target for calls made on a silo, the silo's hosted client ("hosted-&lt;silo&gt;") for silo
/// code outside grains, and the client's own id for a client process. A message without a sender is treated
/// as external (fail closed).
/// </summary>
/// <remarks>
/// Orleans' gateway does not check the sender id a client writes into its messages, so this tells a standard
/// Orleans client from the cluster, not a client built to forge ids: such a forged call can run, but its
/// answer goes to the forged sender, never back to the forger. TLS with client certificates (or network
/// policy keeping the gateway port to known clients) is what closes that remaining gap.
/// </remarks>
internal static class CallOrigin
{
    private const string HostedClientPrefix = "hosted-";

    public static bool IsExternal(IIncomingGrainCallContext context) =>
        context.SourceId is not { } source || (source.IsClient() && !source.Key.ToString()!.StartsWith(HostedClientPrefix, StringComparison.Ordinal));
}

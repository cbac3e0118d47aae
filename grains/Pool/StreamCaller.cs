namespace DSPex.Orleans.Pool;

/// <summary>
/// The silo that relays a stream run on another silo (the gateway the client entered by), carried to the silo running
/// it in the RequestContext, so that silo can end the stream when the relay is gone (<see cref="SiloDeathWatch"/>).
/// Not a parameter of <c>IPoolGrain.StreamWithAffinityAsync</c>: a new parameter would change the method's wire
/// identity, and silos of two releases must still reach each other mid-upgrade. A stream that carries none (a silo of
/// the previous release relaying it) is bounded by its deadline and idle limit, as before.
/// </summary>
internal static class StreamCaller
{
    public const string Key = "dspex-stream-caller";

    /// <summary>Names <paramref name="relay"/> for the grain calls this async flow makes next.</summary>
    public static void Set(SiloAddress relay) => RequestContext.Set(Key, relay.ToParsableString());

    /// <summary>The relaying silo the current call names; null when it names none or cannot be read.</summary>
    public static SiloAddress? Current()
    {
        if (RequestContext.Get(Key) is not string text)
        {
            return null;
        }

        try
        {
            return SiloAddress.FromParsableString(text);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}

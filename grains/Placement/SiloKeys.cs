namespace DSPex.Orleans.Placement;

/// <summary>
/// Keys of silo-pinned grains: the silo's parsable address, which includes its generation, then an optional
/// '|' and a local part. A restarted silo is a new generation, so a stale key can never reach its new processes.
/// </summary>
internal static class SiloKeys
{
    public const char Separator = '|';

    public static string ForSilo(SiloAddress silo) => silo.ToParsableString();

    public static string ForWorker(SiloAddress silo, int slot) => $"{silo.ToParsableString()}{Separator}{slot}";

    public static SiloAddress ParseSilo(string key)
    {
        var end = key.IndexOf(Separator);
        return SiloAddress.FromParsableString(end < 0 ? key : key[..end]);
    }

    public static int ParseSlot(string workerKey)
    {
        var start = workerKey.LastIndexOf(Separator);
        if (start < 0 || !int.TryParse(workerKey.AsSpan(start + 1), out var slot))
        {
            throw new ArgumentException($"'{workerKey}' is not a worker key (silo{Separator}slot).", nameof(workerKey));
        }

        return slot;
    }
}

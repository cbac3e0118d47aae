namespace DSPex.Orleans.Placement;

/// <summary>
/// Keys of silo-pinned grains: the silo's parsable address, which includes its generation, then an optional
/// '|' and a local part. A restarted silo is a new generation, so a stale key can never reach its new processes.
/// A worker of the default pool is "silo|slot" (as before pools had names, so stored session affinities still
/// parse); a worker of a named pool is "silo|pool|slot".
/// </summary>
internal static class SiloKeys
{
    public const char Separator = '|';

    public static string ForSilo(SiloAddress silo) => silo.ToParsableString();

    public static string ForWorker(SiloAddress silo, int slot) => $"{silo.ToParsableString()}{Separator}{slot}";

    public static string ForWorker(SiloAddress silo, string pool, int slot) =>
        pool == Contracts.PoolNames.Default ? ForWorker(silo, slot) : $"{silo.ToParsableString()}{Separator}{pool}{Separator}{slot}";

    /// <summary>The pool of a worker key: the part between silo and slot, the default pool when there is none.</summary>
    public static string ParsePool(string workerKey)
    {
        var first = workerKey.IndexOf(Separator);
        var last = workerKey.LastIndexOf(Separator);
        return first < 0 || first == last ? Contracts.PoolNames.Default : workerKey[(first + 1)..last];
    }

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

namespace DSPex.Orleans.Contracts;

/// <summary>
/// Names of worker pools. A silo's pool of "DSPex:Pool" is <see cref="Default"/>; named pools come from
/// "DSPex:Pools:NAME". A name is also part of worker keys and metric tags, so it is short and plain.
/// </summary>
public static class PoolNames
{
    /// <summary>The pool every silo runs (configuration section "DSPex:Pool").</summary>
    public const string Default = "default";

    /// <summary>Longest pool name.</summary>
    public const int MaxLength = 32;

    /// <summary>Null when <paramref name="pool"/> is a usable pool name (1–32 of a–z, 0–9, '-' and '_', starting with a letter or digit); otherwise why not.</summary>
    public static ExecuteError? Check(string? pool, string name = "pool")
    {
        if (string.IsNullOrEmpty(pool))
        {
            return Invalid($"{name} is {(pool is null ? "null" : "empty")}; leave it unset to route by command");
        }

        if (pool.Length > MaxLength)
        {
            return Invalid($"{name} is {pool.Length} characters long, past the limit of {MaxLength}");
        }

        for (var i = 0; i < pool.Length; i++)
        {
            var c = pool[i];
            var plain = c is (>= 'a' and <= 'z') or (>= '0' and <= '9') || (i > 0 && c is '-' or '_');
            if (!plain)
            {
                return Invalid($"{name} has the character U+{(int)c:X4} at index {i}; a pool name holds a-z, 0-9, '-' and '_' and starts with a letter or digit");
            }
        }

        return null;
    }

    /// <summary>True for a name <see cref="Check"/> accepts.</summary>
    public static bool IsValid(string? pool) => Check(pool) is null;

    private static ExecuteError Invalid(string message) => new(DSPexErrorKind.InvalidArguments, message);
}

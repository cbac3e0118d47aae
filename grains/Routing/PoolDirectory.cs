using DSPex.Orleans.Contracts;

namespace DSPex.Orleans.Routing;

/// <summary>
/// Which pools the cluster runs, on which silos, and what each serves, at one moment: what routing by command
/// reads. Built from every active silo's <see cref="PoolOffer"/>s.
/// </summary>
internal sealed class PoolDirectory
{
    private readonly Dictionary<string, PoolEntry> _pools = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<string>> _poolsByCommand = new(StringComparer.Ordinal);

    public PoolDirectory(IEnumerable<(SiloAddress Silo, IReadOnlyList<PoolOffer> Offers)> silos)
    {
        foreach (var (silo, offers) in silos)
        {
            foreach (var offer in offers)
            {
                if (!_pools.TryGetValue(offer.Pool, out var entry))
                {
                    _pools[offer.Pool] = entry = new PoolEntry(offer.Pool);
                }

                entry.Silos.Add(silo);
                entry.Reported |= offer.Ready;
                entry.Commands.UnionWith(offer.Commands);
            }
        }

        foreach (var entry in _pools.Values)
        {
            foreach (var command in entry.Commands)
            {
                if (!_poolsByCommand.TryGetValue(command, out var pools))
                {
                    _poolsByCommand[command] = pools = [];
                }

                pools.Add(entry.Name);
            }
        }

        foreach (var pools in _poolsByCommand.Values)
        {
            pools.Sort(StringComparer.Ordinal);
        }
    }

    /// <summary>The pools the cluster runs, by name.</summary>
    public IReadOnlyCollection<string> PoolNames => _pools.Keys;

    public bool Runs(string pool) => _pools.ContainsKey(pool);

    /// <summary>The silos that run the pool.</summary>
    public IReadOnlyList<SiloAddress> SilosOf(string pool) => _pools.TryGetValue(pool, out var entry) ? entry.Silos : [];

    /// <summary>The pools whose adapters register the command (built-in commands are in none).</summary>
    public IReadOnlyList<string> PoolsOffering(string command) => _poolsByCommand.TryGetValue(command, out var pools) ? pools : [];

    /// <summary>Some silo's pool of that name has had a worker start, so its commands are known.</summary>
    public bool HasReported(string pool) => _pools.TryGetValue(pool, out var entry) && entry.Reported;

    /// <summary>The pool's adapter commands, sorted.</summary>
    public IReadOnlyList<string> CommandsOf(string pool) =>
        _pools.TryGetValue(pool, out var entry) ? [.. entry.Commands.Order(StringComparer.Ordinal)] : [];

    private sealed class PoolEntry(string name)
    {
        public string Name { get; } = name;

        public List<SiloAddress> Silos { get; } = [];

        public HashSet<string> Commands { get; } = new(StringComparer.Ordinal);

        public bool Reported { get; set; }
    }
}

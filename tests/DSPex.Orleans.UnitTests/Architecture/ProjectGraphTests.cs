using System.Reflection;

namespace DSPex.Orleans.UnitTests.Architecture;

/// <summary>
/// The project graph docs/architecture.md opens with, checked on the built assemblies: the worker core
/// (DSPex.Orleans.Workers) reaches no Orleans assembly, not even through another, and the namespaces of the
/// production libraries depend on each other without a cycle (type references read from signatures and IL:
/// <see cref="TypeReferences"/>).
/// </summary>
[Trait("Category", "Unit")]
public sealed class ProjectGraphTests
{
    private static readonly string[] Production =
        ["DSPex.Orleans.Abstractions", "DSPex.Orleans.Workers", "DSPex.Orleans.Hosting", "DSPex.Orleans.Client"];

    [Fact]
    public void The_worker_core_reaches_no_Orleans_assembly()
    {
        Assert.Empty(OrleansIn(Load("DSPex.Orleans.Workers")));
        // The same walk over the grains assembly finds Orleans: the check sees what it looks for.
        Assert.Contains(OrleansIn(Load("DSPex.Orleans.Hosting")), name => name.StartsWith("Orleans.", StringComparison.Ordinal));
    }

    [Fact]
    public void The_worker_core_references_no_other_DSPex_assembly()
    {
        var dspex = Load("DSPex.Orleans.Workers").GetReferencedAssemblies()
            .Select(a => a.Name!)
            .Where(name => name.StartsWith("DSPex", StringComparison.Ordinal))
            .ToList();
        Assert.Empty(dspex);
    }

    [Fact]
    public void The_worker_core_declares_only_its_own_namespaces()
    {
        var foreign = Load("DSPex.Orleans.Workers").GetTypes()
            .Select(t => t.Namespace)
            .Where(ns => ns is not null && ns.StartsWith("DSPex", StringComparison.Ordinal) && !ns.StartsWith("DSPex.Orleans.Workers.", StringComparison.Ordinal))
            .Distinct()
            .ToList();
        Assert.Empty(foreign);
    }

    /// <summary>
    /// No two production namespaces reach each other. The last cycle (Pool, Routing, Security, Sessions,
    /// Sessions.Storage, Tools.Brokering) was cut in issue 21 by moving types to the layer they serve:
    /// GrainBoundary and SessionStoreFailures to Calls (below the pool, whose grain guards with it),
    /// SessionCallId and ScopedUnknownCommand to Routing (the router sets the one and filters with the other),
    /// SessionOwnership, SessionStateJsonContext and ISessionKeyExpiry to Sessions (Sessions.Storage implements them),
    /// and the silo's call filters to Security.Filters (above routing, whose pools they read), so Security holds
    /// credentials and scopes only and the tool broker and the pool below can use them.
    /// </summary>
    [Fact]
    public void Production_namespaces_form_no_cycle()
    {
        var (graph, examples) = NamespaceGraph();
        // The graph holds the edges the product has: the pool schedules with the core's scheduler.
        Assert.Contains("DSPex.Orleans.Workers.Scheduling", graph["DSPex.Orleans.Pool"]);

        var cycles = Cycles(graph).Select(c => string.Join(" <-> ", c.Order(StringComparer.Ordinal))).Order(StringComparer.Ordinal).ToList();
        Assert.True(cycles.Count == 0, "namespaces that depend on each other (a cycle), with the edges between them:\n"
            + string.Join('\n', cycles.Select(c => c + "\n    " + Witness(graph, examples, c))));
    }

    [Fact]
    public void No_namespace_of_the_worker_core_is_in_a_cycle()
    {
        var (graph, _) = NamespaceGraph();
        Assert.Contains(graph.Keys, ns => ns.StartsWith("DSPex.Orleans.Workers.", StringComparison.Ordinal));
        var core = Cycles(graph).Where(c => c.Any(ns => ns.StartsWith("DSPex.Orleans.Workers.", StringComparison.Ordinal))).ToList();
        Assert.True(core.Count == 0, "worker core namespaces in a cycle: " + string.Join("; ", core.Select(c => string.Join(" <-> ", c))));
    }

    [Fact]
    public void The_cycle_finder_finds_a_cycle()
    {
        var graph = new Dictionary<string, HashSet<string>>
        {
            ["A"] = ["B"], ["B"] = ["C"], ["C"] = ["A"], ["D"] = ["A"],
        };
        var cycle = Assert.Single(Cycles(graph));
        Assert.Equal(["A", "B", "C"], cycle.Order(StringComparer.Ordinal));
    }

    private static Assembly Load(string name) => Assembly.Load(new AssemblyName(name));

    /// <summary>The Orleans assemblies <paramref name="assembly"/> references, directly or through any other it references.</summary>
    private static List<string> OrleansIn(Assembly assembly)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var orleans = new List<string>();
        var pending = new Stack<AssemblyName>(assembly.GetReferencedAssemblies());
        while (pending.TryPop(out var reference))
        {
            var name = reference.Name!;
            if (!seen.Add(name))
            {
                continue;
            }

            if (name.StartsWith("Orleans", StringComparison.Ordinal) || name.StartsWith("Microsoft.Orleans", StringComparison.Ordinal))
            {
                orleans.Add(name);
            }

            if (name.StartsWith("System", StringComparison.Ordinal) || name is "netstandard" or "mscorlib")
            {
                continue; // the framework references no Orleans
            }

            foreach (var next in Assembly.Load(reference).GetReferencedAssemblies())
            {
                pending.Push(next);
            }
        }

        return orleans;
    }

    /// <summary>Namespace -> the namespaces its types refer to, over the production assemblies' DSPex namespaces.</summary>
    private static (Dictionary<string, HashSet<string>> Graph, Dictionary<(string, string), string> Examples) NamespaceGraph()
    {
        var graph = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        var examples = new Dictionary<(string, string), string>();
        foreach (var type in Production.SelectMany(name => Load(name).GetTypes()))
        {
            if (!IsOurs(type.Namespace))
            {
                continue;
            }

            var from = type.Namespace!;
            var edges = graph.TryGetValue(from, out var existing) ? existing : graph[from] = new HashSet<string>(StringComparer.Ordinal);
            foreach (var referenced in TypeReferences.Of(type))
            {
                if (IsOurs(referenced.Namespace) && referenced.Namespace != from && Production.Contains(referenced.Assembly.GetName().Name))
                {
                    edges.Add(referenced.Namespace!);
                    examples.TryAdd((from, referenced.Namespace!), $"{type.FullName} uses {referenced.FullName}");
                }
            }
        }

        return (graph, examples);
    }

    private static bool IsOurs(string? ns) => ns is not null && ns.StartsWith("DSPex.Orleans", StringComparison.Ordinal);

    /// <summary>The strongly connected components of more than one node (Tarjan's algorithm).</summary>
    private static List<List<string>> Cycles(Dictionary<string, HashSet<string>> graph)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var low = new Dictionary<string, int>(StringComparer.Ordinal);
        var stack = new Stack<string>();
        var onStack = new HashSet<string>(StringComparer.Ordinal);
        var components = new List<List<string>>();

        void Visit(string node)
        {
            index[node] = low[node] = index.Count;
            stack.Push(node);
            onStack.Add(node);
            foreach (var next in graph.GetValueOrDefault(node) ?? [])
            {
                if (!index.TryGetValue(next, out var nextIndex))
                {
                    Visit(next);
                    low[node] = Math.Min(low[node], low[next]);
                }
                else if (onStack.Contains(next))
                {
                    low[node] = Math.Min(low[node], nextIndex);
                }
            }

            if (low[node] == index[node])
            {
                var component = new List<string>();
                string member;
                do
                {
                    member = stack.Pop();
                    onStack.Remove(member);
                    component.Add(member);
                }
                while (member != node);

                if (component.Count > 1)
                {
                    components.Add(component);
                }
            }
        }

        foreach (var node in graph.Keys.Order(StringComparer.Ordinal))
        {
            if (!index.ContainsKey(node))
            {
                Visit(node);
            }
        }

        return components;
    }

    /// <summary>For a cycle's members, the edges between them with a type that makes each, so a failure says where to cut.</summary>
    private static string Witness(Dictionary<string, HashSet<string>> graph, Dictionary<(string, string), string> examples, string cycle)
    {
        var members = cycle.Split(" <-> ").ToHashSet(StringComparer.Ordinal);
        return string.Join("\n    ", members.Order(StringComparer.Ordinal)
            .SelectMany(from => graph[from].Where(members.Contains).Order(StringComparer.Ordinal)
                .Select(to => $"{from} -> {to} ({examples[(from, to)]})")));
    }
}

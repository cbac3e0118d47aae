namespace DSPex.Orleans.Tools;

/// <summary>Tools by name: what a client or a silo offers. Add them before the host starts; reading is thread-safe after.</summary>
public sealed class DSPexToolSet
{
    private readonly Dictionary<string, DSPexTool> _tools = new(StringComparer.Ordinal);

    /// <summary>How many tools the set holds.</summary>
    public int Count => _tools.Count;

    /// <summary>Adds a tool; a second tool of the same name is a configuration error.</summary>
    public DSPexToolSet Add(DSPexTool tool)
    {
        ArgumentNullException.ThrowIfNull(tool);
        if (!_tools.TryAdd(tool.Name, tool))
        {
            throw new ArgumentException($"a tool named '{tool.Name}' is already registered", nameof(tool));
        }

        return this;
    }

    /// <summary>Adds a tool built by <see cref="DSPexTool.Create{TArgs, TResult}"/>.</summary>
    public DSPexToolSet Add<TArgs, TResult>(string name, string description, Func<TArgs, CancellationToken, Task<TResult>> handler, System.Text.Json.JsonSerializerOptions? json = null) =>
        Add(DSPexTool.Create(name, description, handler, json));

    /// <summary>The tool of that name, or null.</summary>
    public DSPexTool? Find(string name) => _tools.GetValueOrDefault(name);

    /// <summary>Every tool's description, ordered by name.</summary>
    public ToolDescription[] Describe() => [.. _tools.Values.OrderBy(t => t.Name, StringComparer.Ordinal).Select(t => t.Describe())];
}

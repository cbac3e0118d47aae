namespace DSPex.Orleans.Workers.Bridge;

/// <summary>The session a call runs in, as the bridge protocol carries it: its id and its variables (a JSON object).</summary>
internal sealed record CallSession(string SessionId, string VariablesJson);

using System.Text.Json;
using DSPex.Orleans.Contracts;

namespace DSPex.Orleans.Sessions;

/// <summary>
/// The variable changes a Python command made ({"set": {...}, "deleted": [...]}), applied to a copy of the
/// session's variables so that changes over a limit leave the stored variables as they were. A value set to what it
/// already was, or a name deleted that was not there, is no change: the session then has nothing to write.
/// </summary>
internal static class VariableUpdates
{
    public static (Dictionary<string, JsonElement> Variables, bool Changed) Apply(
        IReadOnlyDictionary<string, JsonElement> variables, string updatesJson, SessionLimits limits)
    {
        var result = new Dictionary<string, JsonElement>(variables);
        var changed = false;
        try
        {
            using var document = JsonDocument.Parse(updatesJson);
            if (document.RootElement.TryGetProperty("set", out var set))
            {
                foreach (var variable in set.EnumerateObject())
                {
                    limits.CheckVariableValue(variable.Name, variable.Value);
                    if (!result.TryGetValue(variable.Name, out var old) || old.GetRawText() != variable.Value.GetRawText())
                    {
                        result[variable.Name] = variable.Value.Clone();
                        changed = true;
                    }
                }
            }

            if (document.RootElement.TryGetProperty("deleted", out var deleted))
            {
                foreach (var name in deleted.EnumerateArray())
                {
                    changed |= result.Remove(name.GetString() ?? "");
                }
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new DSPexRequestException(DSPexErrorKind.MalformedFrame, $"the worker's variable changes are not in the expected shape: {e.Message}");
        }

        limits.CheckVariables(result);
        return (result, changed);
    }
}

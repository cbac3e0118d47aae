using System.Text.Json;
using DSPex.Orleans.Contracts;

namespace DSPex.Orleans.Sessions;

/// <summary>
/// The variable changes a Python command made ({"set": {...}, "deleted": [...]}), applied to a copy of the
/// session's variables so that changes over a limit leave the stored variables as they were.
/// </summary>
internal static class VariableUpdates
{
    public static Dictionary<string, JsonElement> Apply(IReadOnlyDictionary<string, JsonElement> variables, string updatesJson, SessionLimits limits)
    {
        var result = new Dictionary<string, JsonElement>(variables);
        try
        {
            using var document = JsonDocument.Parse(updatesJson);
            if (document.RootElement.TryGetProperty("set", out var set))
            {
                foreach (var variable in set.EnumerateObject())
                {
                    limits.CheckVariableValue(variable.Name, variable.Value);
                    result[variable.Name] = variable.Value.Clone();
                }
            }

            if (document.RootElement.TryGetProperty("deleted", out var deleted))
            {
                foreach (var name in deleted.EnumerateArray())
                {
                    result.Remove(name.GetString() ?? "");
                }
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new DSPexRequestException(DSPexErrorKind.MalformedFrame, $"the worker's variable changes are not in the expected shape: {e.Message}");
        }

        limits.CheckVariables(result);
        return result;
    }
}

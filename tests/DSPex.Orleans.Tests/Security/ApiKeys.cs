using DSPex.Orleans.Security;

namespace DSPex.Orleans.Tests.Security;

/// <summary>Random API keys for a test and the silo settings that store their hashes.</summary>
public static class ApiKeys
{
    public static string New() => Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    public static Dictionary<string, string> Settings(params (string Name, string Key, string[] Scopes)[] keys)
    {
        var settings = new Dictionary<string, string>();
        foreach (var (name, key, scopes) in keys)
        {
            settings[$"DSPex:Security:ApiKeys:{name}:Hash"] = ApiKeyHash.Of(key);
            for (var i = 0; i < scopes.Length; i++)
            {
                settings[$"DSPex:Security:ApiKeys:{name}:Scopes:{i}"] = scopes[i];
            }
        }

        return settings;
    }
}

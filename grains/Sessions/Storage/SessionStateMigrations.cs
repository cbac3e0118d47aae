namespace DSPex.Orleans.Sessions.Storage;

/// <summary>Brings a stored session written by an older version up to the current schema.</summary>
internal static class SessionStateMigrations
{
    public static SessionState Upgrade(SessionState state)
    {
        if (state.SchemaVersion > SessionState.CurrentSchemaVersion)
        {
            throw new InvalidOperationException(
                $"Stored session has schema {state.SchemaVersion}, newer than this silo understands ({SessionState.CurrentSchemaVersion}).");
        }

        // Version 1 is the first schema; a later change adds its step here (1 -> 2, ...).
        state.SchemaVersion = SessionState.CurrentSchemaVersion;
        return state;
    }
}

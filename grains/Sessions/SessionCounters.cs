namespace DSPex.Orleans.Sessions;

/// <summary>The names of a session's counters, as stored and as <c>SessionInfo.Counters</c> reports them.</summary>
internal static class SessionCounters
{
    /// <summary>Command calls run in the session.</summary>
    public const string Calls = "calls";

    /// <summary>Program calls run in the session.</summary>
    public const string ProgramCalls = "program_calls";

    /// <summary>Streams started in the session.</summary>
    public const string Streams = "streams";

    /// <summary>Calls that ended with an error, including variable changes that could not be kept.</summary>
    public const string Errors = "errors";

    /// <summary>Calls that ran on another worker than the session's previous one.</summary>
    public const string Moves = "moves";
}

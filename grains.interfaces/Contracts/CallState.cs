namespace DSPex.Orleans.Contracts;

/// <summary>Where a client's call stands on the gateway silo that took it (see <see cref="CallTracking"/>).</summary>
[GenerateSerializer, Alias("DSPex.Orleans.Contracts.CallState")]
public enum CallState
{
    /// <summary>No live silo is running it: it finished (its reply is on the way, or was lost with its gateway) or it was lost.</summary>
    Unknown = 0,

    /// <summary>Still running on a live gateway silo.</summary>
    Running = 1,
}

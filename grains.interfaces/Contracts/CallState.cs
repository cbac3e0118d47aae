namespace DSPex.Orleans.Contracts;

/// <summary>Where a client's call stands on the silo that took it (see <see cref="CallTracking"/>).</summary>
[GenerateSerializer]
public enum CallState
{
    /// <summary>No live silo holds or recently finished it: it was lost with the silo that carried it.</summary>
    Unknown = 0,

    /// <summary>Finished; its reply was sent.</summary>
    Completed = 1,

    /// <summary>Still running on a live silo.</summary>
    Running = 2,
}
